package dev.parley.tool;

import static dev.parley.fake.FakeModelServer.toolResults;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeModelServer;
import dev.parley.fake.FakeToolCall;
import dev.parley.fake.Fault;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SseEvents;
import dev.parley.testing.TestApp;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tool loop of a whole chat turn against both fake vendors, each as JSON and streamed: several calls in a step with
 * one of them malformed (the model gets an error result and calls again), a loop that never ends (stopped at
 * {@code max_tool_steps} with a last request that allows no tools), and a model that fails after a tool step (the
 * turn fails as any turn whose model fails, its calls kept).
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ToolLoopWireFormatsTest {

  static TestApp app;
  static MessageConsumer<JsonObject> lookup;
  static final List<JsonObject> calls = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void tool() {
    lookup = app.vertx.eventBus().consumer("parley.tool.wire_lookup", message -> {
      calls.add(message.body().getJsonObject("arguments"));
      message.reply(new JsonObject().put("content", "order " + message.body().getJsonObject("arguments")
          .getString("order_id") + ": shipped"));
    });
    Await.result(lookup.completion());
  }

  @AfterAll
  static void untool() {
    Await.result(lookup.unregister());
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
    app.anthropic.reset();
    calls.clear();
  }

  static FakeModelServer fake(String vendor) {
    return vendor.equals("openai") ? app.openai : app.anthropic;
  }

  static String bot(String vendor, int maxSteps) {
    JsonObject parameters = new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put("order_id", new JsonObject().put("type", "string")))
        .put("required", new JsonArray().add("order_id"));
    return Await.result(app.createBot(new JsonObject().put("name", "Wire " + vendor).put("provider", vendor)
        .put("api_key", "sk-test-wire-00000000").put("rag", new JsonObject().put("enabled", false))
        .put("max_tool_steps", maxSteps).put("tools", new JsonArray().add(new JsonObject().put("type", "bus")
            .put("name", "wire_lookup").put("label", "Looking it up…").put("parameters", parameters))))).getString("id");
  }

  static FakeToolCall order(String id, String orderId) {
    return FakeToolCall.of(id, "wire_lookup", new JsonObject().put("order_id", orderId));
  }

  /** One turn: its status, and its text (the JSON reply's, or the stream's deltas) and event names. */
  record Turn(int status, String text, List<String> events) {
  }

  static Turn turn(String botId, boolean stream) {
    var request = app.client.post("/api/chat/" + botId);
    if (stream) {
      request.putHeader("Accept", "text/event-stream");
    }
    var response = Await.result(request.sendJsonObject(new JsonObject().put("message", "Where are A-1 and B-2?")));
    if (!stream) {
      JsonObject body = response.bodyAsJsonObject();
      return new Turn(response.statusCode(), body.getString("response", ""), List.of());
    }
    SseEvents events = SseEvents.parse(response.bodyAsString());
    return new Turn(response.statusCode(), events.deltaText(), events.names());
  }

  /** The tool results the model was sent in each request, as text. */
  static List<List<String>> resultsSent(FakeModelServer fake) {
    List<List<String>> all = new ArrayList<>();
    for (JsonObject request : fake.requests()) {
      List<String> results = new ArrayList<>();
      for (Object item : request.getJsonArray("messages")) {
        JsonObject message = (JsonObject) item;
        if ("tool".equals(message.getString("role"))) {
          results.add(message.getString("content"));
        } else if (message.getValue("content") instanceof JsonArray blocks) {
          for (Object block : blocks) {
            JsonObject b = (JsonObject) block;
            if ("tool_result".equals(b.getString("type"))) {
              results.add(b.getValue("content") instanceof String s ? s : b.getValue("content").toString());
            }
          }
        }
      }
      all.add(results);
    }
    return all;
  }

  @ParameterizedTest(name = "{0}, streamed: {1}")
  @CsvSource({"openai, false", "openai, true", "anthropic, false", "anthropic, true"})
  void several_calls_in_a_step_one_malformed_get_their_results_and_the_model_calls_again(String vendor, boolean stream) {
    FakeModelServer fake = fake(vendor);
    fake.argumentFragments(4);
    fake.answer(body -> toolResults(body) < 3 ? "" : "A-1 and B-2 have shipped.");
    fake.answerToolCalls(body -> switch (toolResults(body)) {
      case 0 -> List.of(order("call_a", "A-1"), new FakeToolCall("call_b", "wire_lookup", "{\"order_id\": \"B-"));
      case 2 -> List.of(order("call_c", "B-2"));
      default -> List.of();
    });
    Turn turn = turn(bot(vendor, 5), stream);
    assertThat(turn.status()).isEqualTo(200);
    assertThat(turn.text()).isEqualTo("A-1 and B-2 have shipped.");
    assertThat(calls).containsExactly(new JsonObject().put("order_id", "A-1"), new JsonObject().put("order_id", "B-2"));
    List<List<String>> results = resultsSent(fake);
    assertThat(results).hasSize(3);
    assertThat(results.get(1)).hasSize(2);
    assertThat(results.get(1).get(0)).isEqualTo("order A-1: shipped");
    assertThat(results.get(1).get(1)).startsWith("Error:").contains("valid JSON");
    assertThat(results.get(2).get(2)).isEqualTo("order B-2: shipped");
    if (stream) {
      assertThat(turn.events().stream().filter("tool"::equals)).hasSize(4);
    }
  }

  @ParameterizedTest(name = "{0}, streamed: {1}")
  @CsvSource({"openai, false", "openai, true", "anthropic, false", "anthropic, true"})
  void a_loop_that_never_ends_stops_at_max_tool_steps_with_a_last_request_allowing_no_tools(String vendor,
      boolean stream) {
    FakeModelServer fake = fake(vendor);
    fake.answer(body -> "Still looking.");
    fake.answerToolCalls(body -> List.of(order("call_" + toolResults(body), "A-" + toolResults(body))));
    Turn turn = turn(bot(vendor, 3), stream);
    assertThat(turn.status()).isEqualTo(200);
    assertThat(turn.text()).isEqualTo("Still looking.\n\n".repeat(3) + "Still looking.");
    assertThat(calls).hasSize(3);
    List<JsonObject> requests = fake.requests();
    assertThat(requests).hasSize(4);
    Object last = requests.get(3).getValue("tool_choice");
    assertThat(last).isEqualTo(vendor.equals("openai") ? "none" : new JsonObject().put("type", "none"));
  }

  @ParameterizedTest(name = "{0}, streamed: {1}")
  @CsvSource({"openai, false", "openai, true", "anthropic, false", "anthropic, true"})
  void a_model_that_fails_after_a_tool_step_fails_the_turn_as_any_model_failure(String vendor, boolean stream) {
    FakeModelServer fake = fake(vendor);
    fake.answer(body -> toolResults(body) == 0 ? "" : "never sent");
    fake.answerToolCalls(body -> {
      if (toolResults(body) == 0) {
        // the next request, with the tool's result, is refused (a 400 is not retried)
        fake.enqueue(Fault.status(400));
        return List.of(order("call_1", "A-1"));
      }
      return List.of();
    });
    Turn turn = turn(bot(vendor, 5), stream);
    assertThat(calls).hasSize(1);
    assertThat(fake.requests()).hasSize(2);
    if (stream) {
      assertThat(turn.events()).contains("tool", "error").doesNotContain("done");
    } else {
      assertThat(turn.status()).isGreaterThanOrEqualTo(400);
    }
    assertThat(turn.text()).doesNotContain("never sent");
  }
}
