package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/** Event-bus request-reply with an explicit timeout, a request id and safe failures. */
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
    return vertx.eventBus().<JsonObject>request(address, body, options)
        .map(Message::body)
        .recover(failure -> Future.failedFuture(failure instanceof ReplyException reply
            ? Failures.fromReply(reply)
            : failure));
  }

  /** The request id a message carries, for log lines. */
  public static String requestId(Message<?> message) {
    String id = message.headers().get(Fields.REQUEST_ID_HEADER);
    return id == null ? "-" : id;
  }
}
