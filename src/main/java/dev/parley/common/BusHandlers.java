package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/** Registers request handlers that reply with their future's result or a safe failure. */
public final class BusHandlers {

  private BusHandlers() {
  }

  /** Registers the handler and completes once the registration has reached the whole cluster. */
  public static Future<Void> register(Vertx vertx, String address, Function<JsonObject, Future<JsonObject>> handler) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address, (Message<JsonObject> message) -> {
      Future<JsonObject> result;
      try {
        result = handler.apply(message.body() == null ? new JsonObject() : message.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onSuccess(message::reply).onFailure(failure -> Failures.reply(message, failure));
    });
    return consumer.completion();
  }
}
