package dev.parley.common;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness of requests served on another node. A clustered request waits for its reply until the send
 * timeout, however long ago the node serving it died (a SIGKILLed node never answers, and the event bus does
 * not fail a request whose target went away). So a long request that leaves the process carries three
 * headers: {@link Fields#HEARTBEAT_ADDRESS_HEADER}, {@link Fields#HEARTBEAT_ID_HEADER} and
 * {@link Fields#HEARTBEAT_MS_HEADER}. Its handler sends {@code {heartbeat_id}} to that address every
 * {@code heartbeat_ms} while it works, and stops when it replies ({@link #beat}); the requester fails the
 * request with 503 ({@link ErrorCodes#PROVIDER_NODE_LOST} for the provider, {@link ErrorCodes#NODE_LOST}
 * otherwise) once {@value #MISSES} intervals went by without one ({@link #request}).
 *
 * <p>Each node has one heartbeat address, {@code parley.heartbeat.<uuid>}, registered cluster-wide on its
 * first watched request; the heartbeats of all its requests arrive there, told apart by their id. A
 * handler beats for the first time one interval after it got the request, so a request answered within
 * an interval costs no message at all. A handler that does not know the headers never beats, and its
 * callers fail its long requests: every handler of a watched address must beat (Parley's own do, through
 * {@link BusHandlers} and the provider verticle).
 */
public final class Heartbeats {

  /** Intervals without a heartbeat after which the node serving a request counts as lost. */
  public static final int MISSES = 3;

  private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);
  private static final String REGISTRY = "parley.heartbeats";
  private static final long MIN_INTERVAL_MS = 50;
  private static final long MAX_INTERVAL_MS = 60_000;
  /** Stops nothing: what {@link #beat} gives for a request that asked for no heartbeats. */
  private static final Runnable NONE = () -> { };

  private Heartbeats() {
  }

  /**
   * Sends the request with heartbeat headers and fails it with 503 when its handler stops beating for
   * {@value #MISSES} × {@code intervalMs}. The reply (or failure) is the event bus's otherwise.
   */
  public static Future<Message<JsonObject>> request(Vertx vertx, String address, JsonObject body,
      DeliveryOptions options, long intervalMs) {
    return watcher(vertx).request(address, body, options, intervalMs);
  }

  /**
   * Starts beating for a request that asked for it (and does nothing for one that did not); the returned
   * action stops it, and must run once the request is answered. Heartbeats go only to heartbeat addresses.
   */
  public static Runnable beat(Vertx vertx, Message<?> message) {
    String address = message.headers().get(Fields.HEARTBEAT_ADDRESS_HEADER);
    if (address == null) {
      return NONE; // most requests ask for none: the other headers are not looked up
    }
    String id = message.headers().get(Fields.HEARTBEAT_ID_HEADER);
    long intervalMs = interval(message.headers().get(Fields.HEARTBEAT_MS_HEADER));
    if (address == null || id == null || intervalMs <= 0 || !address.startsWith(Addresses.HEARTBEAT_PREFIX)) {
      return NONE;
    }
    JsonObject heartbeat = new JsonObject().put(Fields.HEARTBEAT_ID, id);
    long timer = vertx.setPeriodic(intervalMs, t -> vertx.eventBus().send(address, heartbeat));
    return () -> vertx.cancelTimer(timer);
  }

  /** The code a lost request fails with, by the component its address belongs to. */
  static String lostCode(String address) {
    return address.startsWith("parley.provider.") ? ErrorCodes.PROVIDER_NODE_LOST : ErrorCodes.NODE_LOST;
  }

  private static long interval(String header) {
    if (header == null) {
      return 0;
    }
    try {
      return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Long.parseLong(header)));
    } catch (NumberFormatException notANumber) {
      return 0;
    }
  }

  private static Watcher watcher(Vertx vertx) {
    return NodeLocal.get(vertx, REGISTRY, () -> new Watcher(vertx));
  }

  /** A node's heartbeat address and the requests waiting on it, by heartbeat id. */
  private static final class Watcher implements Shareable {

    private final Vertx vertx;
    private final String address = Addresses.HEARTBEAT_PREFIX + Ids.uuid();
    /** The last heartbeat (or the send) of each request in flight, {@link System#nanoTime()}. */
    private final Map<String, Long> lastBeat = new ConcurrentHashMap<>();
    private MessageConsumer<JsonObject> consumer;
    private Future<Void> registered;

    Watcher(Vertx vertx) {
      this.vertx = vertx;
    }

    /**
     * The heartbeat consumer, registered on first use, and again if the verticle whose context registered it
     * was undeployed (which unregisters its consumers).
     */
    private synchronized Future<Void> registered() {
      if (consumer == null || !consumer.isRegistered()) {
        consumer = vertx.eventBus().consumer(address, message -> {
          JsonObject body = message.body();
          String id = body == null ? null : body.getString(Fields.HEARTBEAT_ID);
          if (id != null) {
            lastBeat.computeIfPresent(id, (key, previous) -> System.nanoTime());
          }
        });
        registered = consumer.completion();
      }
      return registered;
    }

    /**
     * Sends on the caller's context (the first request waits for the consumer's registration, then comes
     * back to it), so the reply and the loss are seen where the caller runs.
     */
    Future<Message<JsonObject>> request(String target, JsonObject body, DeliveryOptions options, long intervalMs) {
      Future<Void> ready = registered();
      if (ready.succeeded()) {
        return send(target, body, options, intervalMs);
      }
      Context caller = vertx.getOrCreateContext();
      Promise<Message<JsonObject>> sent = Promise.promise();
      ready.onComplete(registration -> caller.runOnContext(v -> {
        if (registration.failed()) {
          sent.fail(registration.cause());
        } else {
          send(target, body, options, intervalMs).onComplete(sent);
        }
      }));
      return sent.future();
    }

    private Future<Message<JsonObject>> send(String target, JsonObject body, DeliveryOptions options,
        long intervalMs) {
      String id = Ids.uuid();
      options.addHeader(Fields.HEARTBEAT_ADDRESS_HEADER, address)
          .addHeader(Fields.HEARTBEAT_ID_HEADER, id)
          .addHeader(Fields.HEARTBEAT_MS_HEADER, String.valueOf(intervalMs));
      long lostAfter = TimeUnit.MILLISECONDS.toNanos(intervalMs * MISSES);
      Promise<Message<JsonObject>> outcome = Promise.promise();
      lastBeat.put(id, System.nanoTime());
      long check = vertx.setPeriodic(Math.max(1, intervalMs / 2), t -> {
        Long last = lastBeat.get(id);
        if (last != null && System.nanoTime() - last > lostAfter && !outcome.future().isComplete()) {
          LOG.warn("[{}] No heartbeat for {} ms from the node handling {}: it counts as lost",
              options.getHeaders().get(Fields.REQUEST_ID_HEADER), intervalMs * MISSES, target);
          outcome.tryFail(new ParleyException(ErrorCodes.UNAVAILABLE, lostCode(target),
              "The Parley node handling this request stopped responding; please try again"));
        }
      });
      vertx.eventBus().<JsonObject>request(target, body, options).onComplete(reply -> {
        if (reply.succeeded()) {
          outcome.tryComplete(reply.result());
        } else {
          outcome.tryFail(reply.cause());
        }
      });
      return outcome.future().onComplete(done -> {
        vertx.cancelTimer(check);
        lastBeat.remove(id);
      });
    }
  }
}
