package dev.parley.tool;

import static dev.parley.fake.FakeModelServer.toolResults;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.Fault;
import dev.parley.fake.FakeToolCall;
import dev.parley.reliability.Turns;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A turn's tool calls in storage (SQLite here, PostgreSQL in {@link ToolCallStoragePostgresTest}): on the answer, with
 * arguments and result cut to 2,000 characters (any text, emoji included), shown in the conversation log and never in
 * the visitor's session; on the visitor's message when the model fails after a tool step.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ToolCallStorageTest {

  static final String RESULT = "Résumé 📦 " + "r".repeat(5_000);

  static TestApp app;

  @BeforeEach
  void reset() {
    app.openai.reset();
  }

  static String bot(String tool) {
    return Await.result(app.createBot(new JsonObject().put("name", "Stored").put("provider", "openai")
        .put("api_key", "sk-test-stored-0000000").put("rag", new JsonObject().put("enabled", false))
        .put("tools", new JsonArray().add(new JsonObject().put("type", "bus").put("name", tool))))).getString("id");
  }

  /** A bus tool (no Parley handler has this address) that answers RESULT and runs {@code then} first. */
  static MessageConsumer<JsonObject> busTool(String name, Runnable then) {
    MessageConsumer<JsonObject> consumer = app.vertx.eventBus().consumer("parley.tool." + name, message -> {
      then.run();
      message.reply(new JsonObject().put("content", RESULT));
    });
    Await.result(consumer.completion());
    return consumer;
  }

  static void script(String tool, String text) {
    app.openai.answer(body -> toolResults(body) == 0 ? "" : text);
    app.openai.answerToolCalls(body -> toolResults(body) == 0
        ? List.of(FakeToolCall.of("call_1", tool, new JsonObject().put("note", "ä€😀" + "a".repeat(3_000)))) : List.of());
  }

  @Test
  void the_calls_are_stored_on_the_answer_cut_to_2000_characters_and_never_shown_to_the_visitor() {
    String botId = bot("stored_lookup");
    MessageConsumer<JsonObject> tool = busTool("stored_lookup", () -> { });
    try {
      script("stored_lookup", "Found it.");
      assertThat(Await.result(app.chat(botId, new JsonObject().put("message", "Look it up").put("session_id", "stored-session-1"))).statusCode())
          .isEqualTo(200);
      JsonArray log = Await.result(Turns.log(app, botId, "stored-session-1"));
      assertThat(log).hasSize(2);
      assertThat(log.getJsonObject(0).getJsonArray("tool_calls", new JsonArray())).isEmpty();
      JsonObject answer = log.getJsonObject(1);
      assertThat(answer.getString("content")).isEqualTo("Found it.");
      JsonArray calls = answer.getJsonArray("tool_calls");
      assertThat(calls).hasSize(1);
      JsonObject call = calls.getJsonObject(0);
      assertThat(call.getString("tool")).isEqualTo("stored_lookup");
      assertThat(call.getString("type")).isEqualTo("bus");
      assertThat(call.getString("status")).isEqualTo("done");
      assertThat(call.getValue("error")).isNull();
      assertThat(call.getInteger("step")).isEqualTo(1);
      assertThat(call.getLong("latency_ms")).isBetween(0L, 10_000L);
      assertThat(call.getString("arguments")).startsWith("{\"note\":\"ä€😀aaa").hasSize(2_001).endsWith("a…");
      assertThat(call.getString("result")).startsWith("Résumé 📦 rrr").hasSize(2_001).endsWith("r…");
      JsonArray visitor = Await.result(Turns.session(app, botId, "stored-session-1"));
      assertThat(visitor.encode()).doesNotContain("tool_calls").doesNotContain("Résumé").doesNotContain("stored_lookup");
    } finally {
      Await.result(tool.unregister());
    }
  }

  @Test
  void when_the_model_fails_after_a_tool_step_the_calls_stay_on_the_visitors_message() {
    String botId = bot("failing_lookup");
    // the model's second step, asked once the tool has answered, is refused (400 is not retried)
    MessageConsumer<JsonObject> tool = busTool("failing_lookup", () -> app.openai.enqueue(Fault.status(400)));
    try {
      script("failing_lookup", "never said");
      int status = Await.result(app.chat(botId, new JsonObject().put("message", "Look it up").put("session_id", "stored-session-2"))).statusCode();
      assertThat(status).isGreaterThanOrEqualTo(400);
      JsonArray log = Await.result(Turns.log(app, botId, "stored-session-2"));
      JsonObject visitor = log.getJsonObject(0);
      assertThat(visitor.getString("role")).isEqualTo("user");
      assertThat(visitor.getString("error")).isNotNull();
      JsonArray calls = visitor.getJsonArray("tool_calls");
      assertThat(calls).hasSize(1);
      assertThat(calls.getJsonObject(0).getString("tool")).isEqualTo("failing_lookup");
      assertThat(calls.getJsonObject(0).getString("status")).isEqualTo("done");
      assertThat(log.encode()).doesNotContain("never said");
    } finally {
      Await.result(tool.unregister());
    }
  }
}
