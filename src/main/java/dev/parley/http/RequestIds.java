package dev.parley.http;

import dev.parley.common.Fields;
import dev.parley.common.Ids;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** Takes a well-formed {@code X-Request-Id} or makes one, and echoes it on the response. */
final class RequestIds implements Handler<RoutingContext> {

  private static final String KEY = "request_id";
  private static final CharSequence HEADER = HttpHeaders.createOptimized("X-Request-Id");

  @Override
  public void handle(RoutingContext ctx) {
    String given = ctx.request().getHeader(Fields.REQUEST_ID_HEADER);
    String id = Ids.isRequestId(given) ? given : Ids.uuid();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  static String get(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}
