package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Failures;
import dev.parley.common.ParleyException;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one failure handler: every error becomes {@code {"error": {code, message, field?, request_id}}}. */
final class ApiErrors implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

  private static final Map<Integer, String[]> BY_STATUS = Map.of(
      400, new String[] {"bad_request", "The request is malformed"},
      401, new String[] {"unauthorized", "A valid admin token is required (Authorization: Bearer <token>)"},
      403, new String[] {"forbidden", "This request is not allowed"},
      404, new String[] {"not_found", "No such resource"},
      405, new String[] {"method_not_allowed", "This method is not allowed here"},
      413, new String[] {"payload_too_large", "The request body is too large"},
      415, new String[] {"unsupported_media_type", "Send the body as application/json"},
      429, new String[] {"rate_limited", "Too many requests"},
      503, new String[] {"service_unavailable", "The service is unavailable"});

  @Override
  public void handle(RoutingContext ctx) {
    ParleyException error = toError(ctx);
    if (error.status() >= 500) {
      LOG.warn("[{}] {} {} failed: {} {}", RequestIds.get(ctx), ctx.request().method(), Secrets.loggedPath(ctx),
          error.status(), error.code());
    }
    send(ctx, error);
  }

  static void send(RoutingContext ctx, ParleyException error) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    JsonObject body = error.toJson();
    String requestId = RequestIds.get(ctx);
    if (requestId != null) {
      body.put("request_id", requestId);
    }
    if (error.retryAfterSeconds() > 0) {
      ctx.response().putHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
    }
    if (error.status() == ErrorCodes.UNAUTHORIZED) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"parley\"");
    }
    ctx.response()
        .setStatusCode(error.status())
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store");
    Replies.end(ctx.response(), new JsonObject().put("error", body).encode());
  }

  /** The failure of {@code ctx} as a {@link ParleyException}: its own, or one made from its status. */
  static ParleyException toError(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ParleyException parley) {
      return parley;
    }
    if (failure != null && ctx.statusCode() <= 0) {
      return Failures.safe(failure, Secrets.loggedPath(ctx));
    }
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : ErrorCodes.INTERNAL;
    String[] known = BY_STATUS.get(status);
    if (known == null) {
      return status >= 500 ? ParleyException.internal() : new ParleyException(status, "error", "Request failed");
    }
    return new ParleyException(status, known[0], known[1]);
  }
}
