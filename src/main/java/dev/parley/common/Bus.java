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
 * handler on this node when there is one ({@link LocalFirst}). A long request that has to leave the
 * process can be watched by heartbeats ({@link Heartbeats}), so that a dead node fails it within a few
 * seconds instead of at its timeout.
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
    return request(address, body, timeoutMs, 0);
  }

  /**
   * The same; when the request goes to another node (this one is clustered and has no handler of its own),
   * the handler sends heartbeats every {@code heartbeatMs} and the request fails with 503 {@code node_lost}
   * ({@code provider_node_lost} for the provider) once they stop. {@code heartbeatMs} 0 never watches.
   */
  public Future<JsonObject> request(String address, JsonObject body, long timeoutMs, long heartbeatMs) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs);
    if (requestId != null) {
      options.addHeader(Fields.REQUEST_ID_HEADER, requestId);
    }
    boolean watched = heartbeatMs > 0 && vertx.isClustered();
    Future<Message<JsonObject>> sent = LocalFirst.hasLocal(vertx, address)
        ? vertx.eventBus().<JsonObject>request(LocalFirst.alias(address), body, options)
            .recover(failure -> isNoHandlers(failure)
                ? remote(address, body, options, watched ? heartbeatMs : 0)
                : Future.failedFuture(failure))
        : remote(address, body, options, watched ? heartbeatMs : 0);
    return sent
        .map(Message::body)
        .recover(failure -> Future.failedFuture(failure instanceof ReplyException reply
            ? Failures.fromReply(reply)
            : failure));
  }

  private Future<Message<JsonObject>> remote(String address, JsonObject body, DeliveryOptions options,
      long heartbeatMs) {
    return heartbeatMs > 0
        ? Heartbeats.request(vertx, address, body, options, heartbeatMs)
        : vertx.eventBus().request(address, body, options);
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
