package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/** Registers request handlers that reply with their future's result or a safe failure. */
public final class BusHandlers {

  private BusHandlers() {
  }

  /**
   * Registers the handler, cluster-wide and under its node-local alias ({@link LocalFirst}), and
   * completes once the registration has reached the whole cluster. While it works on a request that asks
   * for heartbeats, it sends them ({@link Heartbeats#beat}).
   */
  public static Future<Void> register(Vertx vertx, String address, Function<JsonObject, Future<JsonObject>> handler) {
    Handler<Message<JsonObject>> replying = message -> {
      Runnable stopBeating = Heartbeats.beat(vertx, message);
      Future<JsonObject> result;
      try {
        result = handler.apply(message.body() == null ? new JsonObject() : message.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(done -> stopBeating.run())
          .onSuccess(message::reply).onFailure(failure -> Failures.reply(message, failure));
    };
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address, replying);
    MessageConsumer<JsonObject> local = LocalFirst.registerAlias(vertx, address, replying);
    return Future.all(consumer.completion(), local.completion()).mapEmpty();
  }
}
