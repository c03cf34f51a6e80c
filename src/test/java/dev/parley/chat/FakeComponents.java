package dev.parley.chat;

import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Stand-ins for the components a chat turn talks to, as plain consumers on their addresses: each records the
 * address it was called on, in order, and answers as the test says. And a {@link Delivery} that records what
 * the visitor was sent.
 */
final class FakeComponents {

  final List<String> calls = new CopyOnWriteArrayList<>();

  private FakeComponents() {
  }

  /** Registers {@code handlers} (address → what to do with the message; it must answer it, or not). */
  static Future<FakeComponents> start(Vertx vertx, Map<String, Consumer<Message<JsonObject>>> handlers) {
    FakeComponents fake = new FakeComponents();
    List<Future<Void>> registered = new ArrayList<>();
    handlers.forEach((address, handler) -> registered.add(vertx.eventBus().<JsonObject>consumer(address, message -> {
      fake.calls.add(address);
      handler.accept(message);
    }).completion()));
    return Future.all(registered).map(fake);
  }

  /** Answers with {@code body}. */
  static Consumer<Message<JsonObject>> answer(JsonObject body) {
    return message -> message.reply(body);
  }

  /** Fails the request with {@code failure}, as a Parley component does. */
  static Consumer<Message<JsonObject>> failWith(ParleyException failure) {
    return message -> message.fail(failure.status(), failure.toBusJson().encode());
  }

  /** A delivery that writes down what reaches the visitor: {@code open}, {@code delta:<text>}, {@code reply}, {@code fail:<code>}. */
  static final class Recorded implements Delivery {

    final List<String> sent = new CopyOnWriteArrayList<>();
    final Promise<ChatReply> replied = Promise.promise();
    private final boolean streams;

    Recorded(boolean streams) {
      this.streams = streams;
    }

    @Override
    public boolean streams() {
      return streams;
    }

    @Override
    public void open(String sessionId, String messageId) {
      sent.add("open");
    }

    @Override
    public void delta(String text) {
      sent.add("delta:" + text);
    }

    @Override
    public void onGone(Runnable action) {
      // the visitor stays
    }

    @Override
    public boolean gone() {
      return false;
    }

    @Override
    public void reply(ChatReply reply) {
      sent.add("reply");
      replied.complete(reply);
    }

    @Override
    public void held(JsonObject reply) {
      sent.add("held:" + reply.getString("state"));
      replied.fail(new IllegalStateException("held"));
    }

    @Override
    public void fail(ParleyException error) {
      sent.add("fail:" + error.code());
      replied.fail(error);
    }
  }
}
