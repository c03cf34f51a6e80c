package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failure handler of {@code /v1/*}: every error in OpenAI's shape, {@code {"error": {message, type, param,
 * code}}}, with the status Parley gives it, so that an OpenAI client raises its usual exceptions. {@code type} is
 * {@code invalid_request_error} for a 4xx, {@code rate_limit_error} for a 429 and {@code server_error} for a 5xx;
 * {@code code} is Parley's ({@code invalid_api_key}, {@code model_not_found}, {@code message_too_long},
 * {@code rate_limited}, {@code bot_unavailable}…), {@code param} the field at fault or null.
 */
final class OpenAiErrors implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(OpenAiErrors.class);

  @Override
  public void handle(RoutingContext ctx) {
    ParleyException error = ApiErrors.toError(ctx);
    if (error.status() >= 500) {
      LOG.warn("[{}] {} {} failed: {} {}", RequestIds.get(ctx), ctx.request().method(), Secrets.loggedPath(ctx),
          error.status(), error.code());
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    if (error.retryAfterSeconds() > 0) {
      ctx.response().putHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
    }
    if (error.status() == ErrorCodes.UNAUTHORIZED) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"parley\"");
    }
    ctx.response().setStatusCode(error.status())
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store");
    Replies.end(ctx.response(), new JsonObject().put("error", body(error)).encode());
  }

  /** The {@code error} object of a failure, as OpenAI writes it (also a stream's last event). */
  static JsonObject body(ParleyException error) {
    String type = error.status() == ErrorCodes.TOO_MANY_REQUESTS ? "rate_limit_error"
        : error.status() >= 500 ? "server_error" : "invalid_request_error";
    return new JsonObject().put("message", error.getMessage()).put("type", type).put("param", error.field())
        .put("code", error.code());
  }
}
