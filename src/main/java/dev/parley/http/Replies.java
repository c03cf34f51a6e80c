package dev.parley.http;

import dev.parley.common.Failures;
import dev.parley.common.JsonBytes;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * Completion handlers that end a response with JSON or hand the failure to {@link ApiErrors}. A JSON answer stays on
 * the context for {@link AuditTrail} (a create's new id), which also hears of answers given after the client hung up.
 */
final class Replies {

  private static final String REPLIED = "parley.replied";
  // header names and values made once (their hash is kept), not hashed and encoded again on every answer
  private static final CharSequence JSON_TYPE = HttpHeaders.createOptimized("application/json; charset=utf-8");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  private Replies() {
  }

  static <T> Handler<AsyncResult<T>> json(RoutingContext ctx, int status, Function<T, JsonObject> body) {
    return result -> {
      if (result.failed()) {
        fail(ctx, result.cause());
        return;
      }
      json(ctx, status, body.apply(result.result()));
    };
  }

  static Future<Void> json(RoutingContext ctx, int status, JsonObject json) {
    ctx.put(REPLIED, json);
    boolean closed = ctx.response().closed();
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON_TYPE)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
    if (closed) {
      AuditTrail.answeredAfterClose(ctx);
    }
    // encoded straight into the body's bytes, not to a String first and then to UTF-8
    return end(ctx.response(), JsonBytes.of(json));
  }

  /** The JSON object this request was answered with through {@link #json}, or null. */
  static JsonObject replied(RoutingContext ctx) {
    return ctx.get(REPLIED);
  }

  /**
   * Ends {@code response} with {@code body} and its explicit Content-Length: Vert.x leaves the header out of a HEAD
   * answer (whose body it does not send) unless the handler sets it.
   */
  static Future<Void> end(HttpServerResponse response, Buffer body) {
    return response.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length())).end(body);
  }

  static Future<Void> end(HttpServerResponse response, String body) {
    return end(response, Buffer.buffer(body));
  }

  static <T> Handler<AsyncResult<T>> noContent(RoutingContext ctx) {
    return result -> {
      if (result.failed()) {
        fail(ctx, result.cause());
      } else {
        ctx.response().setStatusCode(204);
        if (ctx.response().closed()) {
          AuditTrail.answeredAfterClose(ctx);
        }
        ctx.response().end();
      }
    };
  }

  static void fail(RoutingContext ctx, Throwable failure) {
    ctx.fail(Failures.safe(failure, Secrets.loggedPath(ctx)));
  }
}
