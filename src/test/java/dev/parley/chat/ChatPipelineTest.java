package dev.parley.chat;

import static dev.parley.chat.FakeComponents.answer;
import static dev.parley.chat.FakeComponents.failWith;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.common.Clients;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.StreamEvents;
import dev.parley.common.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The chat pipeline without HTTP: its steps' order, the immutable turn, and each kind of end it delivers. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ChatPipelineTest {

  private static final Timeouts TIMEOUTS = new Timeouts(2_000, 2_000, 2_000, 2_000, 0);
  private static final JsonObject STORED = new JsonObject().put(Fields.CONVERSATION_ID, "c_1")
      .put(Fields.MESSAGE_ID, "m_1").put("user_message_id", "u_1");
  private static final JsonObject HISTORY = new JsonObject().put(Fields.MESSAGES, new JsonArray());

  @Test
  void steps_run_in_their_order_each_on_the_turn_the_one_before_returned(VertxTestContext test) {
    List<String> ran = new CopyOnWriteArrayList<>();
    Turn start = Turn.start("req-1", bot(), new JsonObject().put("message", "hi"));
    Step answers = (turn, delivery) -> {
      ran.add("answers");
      return Future.succeededFuture(turn.withAnswer(Answer.given("hello", "test", null)));
    };
    Step stores = (turn, delivery) -> {
      ran.add("stores:" + turn.answer().content());
      return Future.succeededFuture(turn.withStored(new JsonObject(), STORED, null));
    };
    FakeComponents.Recorded delivery = new FakeComponents.Recorded(false);
    new ChatPipeline(List.of(new MessageLimits(), answers, stores)).run(start, delivery)
        .onComplete(test.succeeding(last -> test.verify(() -> {
          assertThat(ran).containsExactly("answers", "stores:hello");
          assertThat(start.answer()).as("the turn the pipeline started with").isNull();
          assertThat(start.sessionId()).isNull();
          assertThat(last).isNotSameAs(start);
          assertThat(last.sessionId()).isNotNull();
          assertThat(last.userMessageId()).isEqualTo(start.userMessageId());
          assertThat(delivery.sent).containsExactly("reply");
          assertThat(delivery.replied.future().result().toJson().getString("response")).isEqualTo("hello");
          test.completeNow();
        })));
  }

  @Test
  void a_message_over_the_bot_limit_fails_the_turn_before_any_component_is_asked(Vertx vertx, VertxTestContext test) {
    FakeComponents.start(vertx, Map.of(Addresses.MEMORY_HISTORY, answer(HISTORY))).compose(fake -> {
      FakeComponents.Recorded delivery = new FakeComponents.Recorded(true);
      Turn turn = Turn.start("req-2", bot().put("max_message_chars", 3), new JsonObject().put("message", "four"));
      return pipeline(vertx).run(turn, delivery).transform(ended -> {
        assertThat(ended.failed()).isTrue();
        assertThat(delivery.sent).containsExactly("fail:message_too_long");
        assertThat(fake.calls).isEmpty();
        return Future.succeededFuture();
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_answer_is_stored_then_the_provider_status_cleared_then_the_event_published(Vertx vertx,
      VertxTestContext test) {
    Promise<JsonObject> event = Promise.promise();
    JsonObject reply = new JsonObject().put(Fields.CONTENT, "Hello!").put(Fields.PROVIDER, "openai")
        .put(Fields.USAGE, new JsonObject().put(Fields.INPUT_TOKENS, 3).put(Fields.OUTPUT_TOKENS, 2));
    FakeComponents.start(vertx, Map.of(
        Addresses.MEMORY_HISTORY, answer(HISTORY),
        Addresses.PROVIDER_COMPLETE, answer(reply),
        Addresses.MEMORY_APPEND, answer(STORED),
        Addresses.BOT_STATUS, answer(new JsonObject().put("changed", true)),
        Addresses.EVENTS_TURN_COMPLETED, message -> event.tryComplete(message.body())
    )).compose(fake -> {
      FakeComponents.Recorded delivery = new FakeComponents.Recorded(false);
      JsonObject bot = bot().put(Fields.PROVIDER_STATUS, new JsonObject().put("code", "provider_key_invalid"));
      return pipeline(vertx).run(Turn.start("req-3", bot, new JsonObject().put("message", "hi")), delivery)
          .compose(turn -> event.future()).map(published -> {
            assertThat(fake.calls).containsExactly(Addresses.MEMORY_HISTORY, Addresses.PROVIDER_COMPLETE,
                Addresses.MEMORY_APPEND, Addresses.BOT_STATUS, Addresses.EVENTS_TURN_COMPLETED);
            assertThat(published.getString(Fields.STATUS)).isEqualTo("complete");
            assertThat(delivery.sent).containsExactly("reply");
            JsonObject json = delivery.replied.future().result().toJson();
            assertThat(json.getString("response")).isEqualTo("Hello!");
            assertThat(json.getString(Fields.MESSAGE_ID)).isEqualTo("m_1");
            assertThat(json.getJsonObject(Fields.USAGE).getInteger(Fields.INPUT_TOKENS)).isEqualTo(3);
            return null;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_refused_key_is_stored_with_the_message_then_sets_the_provider_status_and_the_visitor_sees_it_as_generic(
      Vertx vertx, VertxTestContext test) {
    List<JsonObject> appended = new CopyOnWriteArrayList<>();
    FakeComponents.start(vertx, Map.of(
        Addresses.MEMORY_HISTORY, answer(HISTORY),
        Addresses.PROVIDER_COMPLETE, failWith(new ParleyException(502, "provider_auth_failed", "The key was refused")),
        Addresses.MEMORY_APPEND, message -> {
          appended.add(message.body());
          message.reply(STORED);
        },
        Addresses.BOT_STATUS, answer(new JsonObject().put("changed", true))
    )).compose(fake -> {
      FakeComponents.Recorded delivery = new FakeComponents.Recorded(false);
      return pipeline(vertx).run(Turn.start("req-4", bot(), new JsonObject().put("message", "hi")), delivery)
          .map(turn -> {
            assertThat(fake.calls).containsExactly(Addresses.MEMORY_HISTORY, Addresses.PROVIDER_COMPLETE,
                Addresses.MEMORY_APPEND, Addresses.BOT_STATUS);
            assertThat(appended.get(0).getString(Fields.ERROR)).isEqualTo("provider_auth_failed");
            assertThat(appended.get(0).getValue(Fields.ASSISTANT)).isNull();
            assertThat(delivery.sent).containsExactly("fail:provider_auth_failed");
            assertThat(VisitorErrors.shown(turn.error()).code()).isEqualTo("bot_unavailable");
            return null;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_spent_budget_answers_with_its_message_and_asks_neither_history_nor_model(Vertx vertx, VertxTestContext test) {
    FakeComponents.start(vertx, Map.of(
        Addresses.MEMORY_USAGE, answer(new JsonObject().put(Fields.INPUT_TOKENS, 80).put(Fields.OUTPUT_TOKENS, 40)),
        Addresses.MEMORY_HISTORY, answer(HISTORY),
        Addresses.PROVIDER_COMPLETE, answer(new JsonObject()),
        Addresses.MEMORY_APPEND, answer(STORED)
    )).compose(fake -> {
      FakeComponents.Recorded delivery = new FakeComponents.Recorded(true);
      JsonObject bot = bot().put("budget", new JsonObject().put("daily_tokens", 100).put("message", "Enough today."));
      return pipeline(vertx).run(Turn.start("req-5", bot, new JsonObject().put("message", "hi")), delivery)
          .map(turn -> {
            assertThat(fake.calls).containsExactly(Addresses.MEMORY_USAGE, Addresses.MEMORY_APPEND);
            assertThat(turn.record().getJsonObject(Fields.ASSISTANT).getString(Fields.ERROR)).isEqualTo("budget_exceeded");
            assertThat(delivery.sent).as("not streamed: the delivery sends it whole").containsExactly("reply");
            assertThat(delivery.replied.future().result().response()).isEqualTo("Enough today.");
            return null;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_whose_request_reply_comes_before_its_deltas_still_delivers_every_delta_then_the_reply(Vertx vertx,
      VertxTestContext test) {
    JsonObject answer = new JsonObject().put(Fields.CONTENT, "one two three").put(Fields.PROVIDER, "openai");
    FakeComponents.start(vertx, Map.of(
        Addresses.MEMORY_HISTORY, answer(HISTORY),
        Addresses.PROVIDER_STREAM, message -> {
          // the reply overtakes the whole stream: it must end nothing
          message.reply(answer.copy().put(Fields.DELTAS, 3));
          String address = message.body().getString(Fields.STREAM_ADDRESS);
          vertx.setTimer(100, t -> {
            vertx.eventBus().send(address, StreamEvents.delta(0, "one"));
            vertx.eventBus().send(address, StreamEvents.delta(1, " two"));
            vertx.eventBus().send(address, StreamEvents.delta(2, " three"));
            vertx.eventBus().send(address, StreamEvents.done(answer));
          });
        },
        Addresses.MEMORY_APPEND, answer(STORED)
    )).compose(fake -> {
      FakeComponents.Recorded delivery = new FakeComponents.Recorded(true);
      return pipeline(vertx).run(Turn.start("req-6", bot(), new JsonObject().put("message", "count")), delivery)
          .map(turn -> {
            assertThat(delivery.sent).containsExactly("open", "delta:one", "delta: two", "delta: three", "reply");
            assertThat(turn.record().getJsonObject(Fields.ASSISTANT).getString(Fields.CONTENT)).isEqualTo("one two three");
            assertThat(turn.record().getJsonObject(Fields.ASSISTANT).getString(Fields.STATUS)).isEqualTo("complete");
            return null;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  private static ChatPipeline pipeline(Vertx vertx) {
    return new ChatPipeline(Clients.of(vertx, TIMEOUTS), 5_000);
  }

  private static JsonObject bot() {
    return new JsonObject().put("id", "bot_1").put("provider", "openai").put("model", "gpt-test").put("history_limit", 10);
  }
}
