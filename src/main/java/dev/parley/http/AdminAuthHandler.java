package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Guards every admin route: only {@code Authorization: Bearer <admin token>} is accepted
 * (no query parameter, cookie or other header carries the token).
 */
final class AdminAuthHandler implements Handler<RoutingContext> {

  private static final String PREFIX = "Bearer ";

  private final AdminToken token;

  AdminAuthHandler(AdminToken token) {
    this.token = token;
  }

  @Override
  public void handle(RoutingContext ctx) {
    var values = ctx.request().headers().getAll("Authorization");
    String header = values.size() == 1 ? values.get(0) : null;
    if (header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        && token.matches(header.substring(PREFIX.length()).strip())) {
      ctx.next();
      return;
    }
    ctx.fail(new ParleyException(ErrorCodes.UNAUTHORIZED, "unauthorized",
        "A valid admin token is required (Authorization: Bearer <token>)"));
  }
}
