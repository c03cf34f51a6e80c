package dev.parley.tool;

import static dev.parley.fake.FakeModelServer.toolResults;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.fake.FakeToolCall;
import dev.parley.reliability.Turns;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.testing.ToolShop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What operators see of tool calls besides the conversation log: {@code parley.events.tool.called} (outcome only, never
 * arguments, results or secrets), per-tool counts, failures and latency in {@code /metrics}, and the per-bot limit of
 * tool calls per minute (here 3): past it the model gets an error result for the call and the turn is answered.
 */
@ParleyTest(measured = true)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ToolCallsObservedTest {

  static final int PER_MINUTE = 3;
  static final String SECRET = "Bearer OBSERVED-SECRET-5150";
  static final String ARGUMENT = "ORDER-ARG-77";

  static TestApp app;
  static HttpServer shop;
  static final List<String> shopPaths = new CopyOnWriteArrayList<>();

  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    return ToolShop.start(vertx, shopPaths).map(server -> {
      shop = server;
      return new JsonObject().put("tool", ToolShop.allowLoopback().put("calls_per_minute_per_bot", PER_MINUTE));
    });
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
    shopPaths.clear();
  }

  static JsonObject tool(String name, String path) {
    return new JsonObject().put("type", "http").put("name", name).put("url", "http://127.0.0.1:" + shop.actualPort() + path)
        .put("parameters", new JsonObject().put("type", "object")
            .put("properties", new JsonObject().put("order_id", new JsonObject().put("type", "string"))))
        .put("secret_headers", new JsonObject().put("Authorization", SECRET));
  }

  static String bot(JsonObject... tools) {
    return Await.result(app.createBot(new JsonObject().put("name", "Observed").put("provider", "openai")
        .put("api_key", "sk-test-observed-000000").put("rag", new JsonObject().put("enabled", false))
        .put("tools", new JsonArray(List.of((Object[]) tools))))).getString("id");
  }

  /** The model asks for {@code calls} on the first step and answers {@code text} once it has their results. */
  static void script(String text, FakeToolCall... calls) {
    app.openai.answer(body -> toolResults(body) == 0 ? "" : text);
    app.openai.answerToolCalls(body -> toolResults(body) == 0 ? List.of(calls) : List.of());
  }

  static FakeToolCall call(String id, String tool) {
    return FakeToolCall.of(id, tool, new JsonObject().put("order_id", ARGUMENT));
  }

  @Test
  void each_call_is_published_with_its_outcome_and_counted_per_tool_without_arguments_results_or_secrets() throws Exception {
    Vertx vertx = app.vertx;
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.EVENTS_TOOL_CALLED, m -> events.add(m.body()));
    Await.result(consumer.completion());
    try {
      String botId = bot(tool("observed_lookup", "/orders/{order_id}"), tool("observed_stock", "/stock"));
      script("All checked.", call("call_1", "observed_lookup"), call("call_2", "observed_stock"));
      JsonObject reply = Await.result(app.chat(botId, new JsonObject().put("message", "Check it"))).bodyAsJsonObject();
      assertThat(reply.getString("response")).isEqualTo("All checked.");
      Await.result(Await.until(vertx, () -> events.stream()
          .filter(e -> botId.equals(e.getString("bot_id"))).count() == 2));
      List<JsonObject> mine = events.stream().filter(e -> botId.equals(e.getString("bot_id"))).toList();
      for (JsonObject event : mine) {
        assertThat(event.fieldNames()).containsExactlyInAnyOrder("bot_id", "session_id", "tool", "type", "status",
            "latency_ms", "error", "at");
        assertThat(event.getString("session_id")).isEqualTo(reply.getString("session_id"));
        assertThat(event.getString("type")).isEqualTo("http");
        assertThat(event.getLong("latency_ms")).isBetween(0L, 10_000L);
        assertThat(event.encode()).doesNotContain(ARGUMENT).doesNotContain("shipped").doesNotContain("OBSERVED-SECRET")
            .doesNotContain("down");
      }
      JsonObject lookup = mine.stream().filter(e -> e.getString("tool").equals("observed_lookup")).findFirst().orElseThrow();
      JsonObject stock = mine.stream().filter(e -> e.getString("tool").equals("observed_stock")).findFirst().orElseThrow();
      assertThat(lookup.getString("status")).isEqualTo("done");
      assertThat(lookup.getValue("error")).isNull();
      assertThat(stock.getString("status")).isEqualTo("failed");
      assertThat(stock.getString("error")).isEqualTo("tool_failed");

      String metrics = metricsOnceThey(List.of(
          "parley_tool_calls_total{status=\"done\",tool=\"http:observed_lookup\"} 1.0",
          "parley_tool_calls_total{status=\"failed\",tool=\"http:observed_stock\"} 1.0",
          "parley_tool_failures_total{reason=\"tool_failed\",tool=\"http:observed_stock\"} 1.0",
          "parley_tool_call_seconds_count{tool=\"http:observed_lookup\"} 1"));
      assertThat(metrics).doesNotContain(ARGUMENT).doesNotContain("OBSERVED-SECRET");
    } finally {
      Await.result(consumer.unregister());
    }
  }

  @Test
  void past_the_bots_calls_per_minute_the_model_gets_an_error_result_and_the_turn_is_answered() throws Exception {
    Vertx vertx = app.vertx;
    String botId = bot(tool("limited_lookup", "/orders/{order_id}"));
    // the limit counts in one-minute windows: four calls that straddle a minute would all be admitted
    Await.result(Await.until(vertx, () -> System.currentTimeMillis() % 60_000 < 55_000, 10_000));
    script("Three of four checked.", call("call_1", "limited_lookup"), call("call_2", "limited_lookup"),
        call("call_3", "limited_lookup"), call("call_4", "limited_lookup"));
    var response = Await.result(app.client.post("/api/chat/" + botId)
        .sendJsonObject(new JsonObject().put("message", "Check four").put("session_id", "limited-session-1")));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("response")).isEqualTo("Three of four checked.");
    assertThat(shopPaths).hasSize(PER_MINUTE);
    List<String> results = new ArrayList<>();
    for (Object item : app.openai.requests().get(1).getJsonArray("messages")) {
      if ("tool".equals(((JsonObject) item).getString("role"))) {
        results.add(((JsonObject) item).getString("content"));
      }
    }
    assertThat(results).hasSize(4);
    assertThat(results.stream().filter(r -> r.startsWith("Error:") && r.contains("too many tools"))).hasSize(1);
    JsonArray log = Await.result(Turns.log(app, botId, "limited-session-1"));
    JsonArray calls = log.getJsonObject(log.size() - 1).getJsonArray("tool_calls");
    assertThat(calls).hasSize(4);
    List<String> errors = new ArrayList<>();
    for (Object item : calls) {
      errors.add(String.valueOf(((JsonObject) item).getString("error")));
    }
    assertThat(errors).containsExactlyInAnyOrder("null", "null", "null", "rate_limited");
    // another bot is not held back by this one's limit
    String other = bot(tool("limited_lookup", "/orders/{order_id}"));
    script("Checked.", call("call_5", "limited_lookup"));
    assertThat(Await.result(app.chat(other, new JsonObject().put("message", "Check"))).bodyAsJsonObject()
        .getString("response")).isEqualTo("Checked.");
    assertThat(shopPaths).hasSize(PER_MINUTE + 1);
    metricsOnceThey(List.of("parley_tool_failures_total{reason=\"rate_limited\",tool=\"http:limited_lookup\"} 1.0"));
  }

  /** The admin's /metrics once it has every line (calls are counted as they end, a moment before the answer). */
  static String metricsOnceThey(List<String> lines) throws InterruptedException {
    long until = System.currentTimeMillis() + 10_000;
    String metrics = "";
    while (System.currentTimeMillis() < until) {
      metrics = Await.result(app.admin(HttpMethod.GET, "/metrics").send()).bodyAsString();
      if (lines.stream().allMatch(metrics::contains)) {
        return metrics;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("/metrics lacks " + lines + ":\n" + metrics);
  }
}
