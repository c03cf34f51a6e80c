package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Refuses requests that a proxy in front and Parley could read two ways: more than one Host (RFC 9112 §3.2), a
 * Transfer-Encoding other than a single {@code chunked} (§6.1), more than one Content-Length. 400 {@code bad_request},
 * and the connection is closed, since where its next request starts is not known. Before this runs, Netty's decoder
 * refuses duplicate or listed Content-Length and malformed header lines, and Vert.x Web a missing or malformed Host;
 * a request with both Content-Length and {@code Transfer-Encoding: chunked} is read as chunked by Netty (§6.3),
 * which this cannot see.
 */
final class RequestFraming implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    String problem = problem(ctx.request());
    if (problem == null) {
      ctx.next();
      return;
    }
    HttpServerRequest request = ctx.request();
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close").endHandler(v -> request.connection().close());
    ctx.fail(new ParleyException(ErrorCodes.BAD_REQUEST, "bad_request", problem));
  }

  static String problem(HttpServerRequest request) {
    if (request.headers().getAll(HttpHeaders.HOST).size() > 1) {
      return "Send exactly one Host header";
    }
    List<String> codings = request.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
    if (!codings.isEmpty() && !(codings.size() == 1 && "chunked".equalsIgnoreCase(codings.get(0).strip()))) {
      return "Transfer-Encoding must be chunked alone";
    }
    if (request.headers().getAll(HttpHeaders.CONTENT_LENGTH).size() > 1) {
      return "Send at most one Content-Length header";
    }
    return null;
  }
}
