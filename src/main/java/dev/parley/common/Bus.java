package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * Event-bus request-reply with an explicit timeout, a deadline to start by ({@link Fields#DEADLINE_HEADER}),
 * a request id and safe failures, served by a handler on this node when there is one ({@link LocalFirst}).
 * A long request that has to leave the process can be watched by heartbeats ({@link Heartbeats}), so that a dead node fails it within a few
 * seconds instead of at its timeout. One bus serves a whole verticle: the request id travels with each call.
 */
public final class Bus {

  private final Vertx vertx;

  public Bus(Vertx vertx) {
    this.vertx = vertx;
    Handover.register(vertx);
  }

  public Vertx vertx() {
    return vertx;
  }

  /** A request on behalf of the request {@code requestId} (null outside a request), carried as a header into log lines. */
  public Future<JsonObject> request(String requestId, String address, JsonObject body, long timeoutMs) {
    return request(requestId, address, body, timeoutMs, 0);
  }

  /**
   * The same; when the request goes to another node (this one is clustered and has no handler of its own),
   * the handler sends heartbeats every {@code heartbeatMs} and the request fails with 503 {@code node_lost}
   * ({@code provider_node_lost} for the provider) once they stop. {@code heartbeatMs} 0 never watches.
   */
  public Future<JsonObject> request(String requestId, String address, JsonObject body, long timeoutMs,
      long heartbeatMs) {
    return send(requestId, address, body, timeoutMs, heartbeatMs, false);
  }

  /**
   * The same, for a body built for this one request that nobody changes once it is sent (nor the caller after it): a
   * handler on this node gets it as it is ({@link Handover}), without the copy the event bus makes for local delivery.
   */
  public Future<JsonObject> handOver(String requestId, String address, JsonObject body, long timeoutMs,
      long heartbeatMs) {
    return send(requestId, address, body, timeoutMs, heartbeatMs, true);
  }

  private Future<JsonObject> send(String requestId, String address, JsonObject body, long timeoutMs, long heartbeatMs,
      boolean handOver) {
    long watchedMs = heartbeatMs > 0 && vertx.isClustered() ? heartbeatMs : 0;
    DeliveryOptions local = LocalFirst.hasLocal(vertx, address) ? options(requestId, timeoutMs, timeoutMs) : null;
    Future<Message<JsonObject>> sent = local != null
        ? vertx.eventBus().<JsonObject>request(LocalFirst.alias(address), body, handOver ? Handover.on(local) : local)
            .recover(failure -> isNoHandlers(failure)
                ? remote(requestId, address, body, timeoutMs, watchedMs)
                : Future.failedFuture(failure))
        : remote(requestId, address, body, timeoutMs, watchedMs);
    return sent
        .map(Message::body)
        .recover(failure -> Future.failedFuture(failure instanceof ReplyException reply
            ? Failures.fromReply(reply)
            : failure));
  }

  /**
   * A watched request is given up on {@value Heartbeats#MISSES} intervals after it was sent unless a heartbeat
   * came, and its handler sends the first one an interval after it starts: it must start within
   * {@code MISSES - 1} intervals.
   */
  private Future<Message<JsonObject>> remote(String requestId, String address, JsonObject body, long timeoutMs,
      long heartbeatMs) {
    if (heartbeatMs <= 0) {
      return vertx.eventBus().request(address, body, options(requestId, timeoutMs, timeoutMs));
    }
    long startWithinMs = Math.min(timeoutMs, heartbeatMs * (Heartbeats.MISSES - 1));
    return Heartbeats.request(vertx, address, body, options(requestId, timeoutMs, startWithinMs), heartbeatMs);
  }

  private static DeliveryOptions options(String requestId, long timeoutMs, long startWithinMs) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs)
        .addHeader(Fields.DEADLINE_HEADER, String.valueOf(System.currentTimeMillis() + startWithinMs));
    if (requestId != null) {
      options.addHeader(Fields.REQUEST_ID_HEADER, requestId);
    }
    return options;
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
