package dev.parley.http;

import dev.parley.common.Failures;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** Completion handlers that end a response with JSON or hand the failure to {@link ApiErrors}. */
final class Replies {

  private Replies() {
  }

  static <T> Handler<AsyncResult<T>> json(RoutingContext ctx, int status, Function<T, JsonObject> body) {
    return result -> {
      if (result.failed()) {
        fail(ctx, result.cause());
        return;
      }
      JsonObject json = body.apply(result.result());
      ctx.response()
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json; charset=utf-8")
          .putHeader("Cache-Control", "no-store")
          .end(json.encode());
    };
  }

  static <T> Handler<AsyncResult<T>> noContent(RoutingContext ctx) {
    return result -> {
      if (result.failed()) {
        fail(ctx, result.cause());
      } else {
        ctx.response().setStatusCode(204).end();
      }
    };
  }

  static void fail(RoutingContext ctx, Throwable failure) {
    ctx.fail(Failures.safe(failure, ctx.normalizedPath()));
  }
}
