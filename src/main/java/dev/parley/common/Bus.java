package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * Event-bus request-reply with an explicit timeout, a request id and safe failures, served by a
 * handler on this node when there is one ({@link LocalFirst}).
 */
public final class Bus {

  private final Vertx vertx;
  private final String requestId;

  public Bus(Vertx vertx, String requestId) {
    this.vertx = vertx;
    this.requestId = requestId;
  }

  public Vertx vertx() {
    return vertx;
  }

  public String requestId() {
    return requestId;
  }

  public Future<JsonObject> request(String address, JsonObject body, long timeoutMs) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs);
    if (requestId != null) {
      options.addHeader(Fields.REQUEST_ID_HEADER, requestId);
    }
    Future<Message<JsonObject>> sent = LocalFirst.hasLocal(vertx, address)
        ? vertx.eventBus().<JsonObject>request(LocalFirst.alias(address), body, options)
            .recover(failure -> isNoHandlers(failure)
                ? vertx.eventBus().request(address, body, options)
                : Future.failedFuture(failure))
        : vertx.eventBus().request(address, body, options);
    return sent
        .map(Message::body)
        .recover(failure -> Future.failedFuture(failure instanceof ReplyException reply
            ? Failures.fromReply(reply)
            : failure));
  }

  private static boolean isNoHandlers(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS;
  }

  /** The request id a message carries, for log lines. */
  public static String requestId(Message<?> message) {
    String id = message.headers().get(Fields.REQUEST_ID_HEADER);
    return id == null ? "-" : id;
  }
}
