package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registers request handlers that reply with their future's result or a safe failure. */
public final class BusHandlers {

  private static final Logger LOG = LoggerFactory.getLogger(BusHandlers.class);

  private BusHandlers() {
  }

  /**
   * Registers the handler, cluster-wide and under its node-local alias ({@link LocalFirst}), and
   * completes once the registration has reached the whole cluster. Each request goes through
   * {@link #accept}.
   */
  public static Future<Void> register(Vertx vertx, String address, Function<JsonObject, Future<JsonObject>> handler) {
    return register(vertx, address, handler, false);
  }

  /**
   * The same, for a handler whose replies are built for the one request and kept nowhere: a request that came on the
   * node-local alias gets the reply itself ({@link Handover}), without the copy the event bus makes for local delivery.
   */
  public static Future<Void> registerHandingOver(Vertx vertx, String address,
      Function<JsonObject, Future<JsonObject>> handler) {
    return register(vertx, address, handler, true);
  }

  private static Future<Void> register(Vertx vertx, String address, Function<JsonObject, Future<JsonObject>> handler,
      boolean handsOver) {
    Handover.register(vertx);
    Handler<Message<JsonObject>> replying = message -> {
      Runnable finished = accept(vertx, message);
      if (finished == null) {
        return;
      }
      Future<JsonObject> result;
      try {
        result = handler.apply(message.body() == null ? new JsonObject() : message.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(done -> finished.run())
          .onSuccess(reply -> {
            if (handsOver) {
              Handover.reply(message, reply);
            } else {
              message.reply(reply);
            }
          }).onFailure(failure -> Failures.reply(message, failure));
    };
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address, replying);
    MessageConsumer<JsonObject> local = LocalFirst.registerAlias(vertx, address, replying);
    Drain.serves(vertx, address);
    return Future.all(consumer.completion(), local.completion()).mapEmpty();
  }

  /**
   * Starts work on a request. A request that arrives after its deadline ({@link Fields#DEADLINE_HEADER}) is
   * dropped unanswered (its sender has given up and may have tried again: working on it would do it twice),
   * and this returns null. Otherwise the request counts as in progress ({@link Drain}), heartbeats start
   * when it asked for them ({@link Heartbeats#beat}), and the returned action, run once it is answered,
   * ends both.
   */
  public static Runnable accept(Vertx vertx, Message<?> message) {
    String deadline = message.headers().get(Fields.DEADLINE_HEADER);
    if (deadline != null && pastDeadline(deadline)) {
      LOG.warn("[{}] Dropped a request to {} that arrived after its sender gave up on it (deadline {})",
          Bus.requestId(message), message.address(), deadline);
      return null;
    }
    Runnable stopBeating = Heartbeats.beat(vertx, message);
    Runnable leave = Drain.enter(vertx);
    return () -> {
      stopBeating.run();
      leave.run();
    };
  }

  private static boolean pastDeadline(String deadline) {
    try {
      return System.currentTimeMillis() > Long.parseLong(deadline);
    } catch (NumberFormatException notANumber) {
      return false;
    }
  }
}
