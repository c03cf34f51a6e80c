package dev.parley.tool;

import static dev.parley.fake.FakeModelServer.toolResults;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeModelServer;
import dev.parley.fake.FakeToolCall;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SseEvents;
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
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tool loop of a chat turn with the fake OpenAI and Anthropic servers, JSON and streamed: several calls in a
 * step run together and their results go back to the model; broken arguments, an unknown tool and a failing tool give
 * the model an error result; a loop that never ends stops at {@code max_tool_steps}; bus tools and the handoff tool
 * reach their consumers; every call is stored on the turn and shown in the conversation log, never to the visitor.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ToolLoopTest {

  static TestApp app;
  static HttpServer shop;
  static final List<String> shopPaths = new CopyOnWriteArrayList<>();

  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    return ToolShop.start(vertx, shopPaths).map(server -> {
      shop = server;
      return new JsonObject().put("tool", ToolShop.allowLoopback());
    });
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
    app.anthropic.reset();
    shopPaths.clear();
  }

  static JsonObject lookup() {
    return new JsonObject().put("type", "http").put("name", "lookup_order").put("label", "Looking up your order…")
        .put("description", "Finds an order by its id")
        .put("url", "http://127.0.0.1:" + shop.actualPort() + "/orders/{order_id}")
        .put("parameters", new JsonObject().put("type", "object")
            .put("properties", new JsonObject().put("order_id", new JsonObject().put("type", "string").put("maxLength", 20)))
            .put("required", new JsonArray().add("order_id")))
        .put("secret_headers", new JsonObject().put("Authorization", "Bearer shop-secret-98765"));
  }

  static Future<String> bot(String provider, int maxSteps, JsonObject... tools) {
    return app.createBot(new JsonObject().put("name", "Tools " + provider).put("provider", provider)
            .put("api_key", "sk-test-tools-0000000000").put("rag", new JsonObject().put("enabled", false))
            .put("max_tool_steps", maxSteps).put("tools", new JsonArray(List.of((Object[]) tools))))
        .map(bot -> bot.getString("id"));
  }

  static void script(FakeModelServer fake, FakeToolCall... calls) {
    fake.answer(body -> toolResults(body) == 0 ? "Let me check." : "Both orders have shipped.");
    fake.answerToolCalls(body -> toolResults(body) == 0 ? List.of(calls) : List.of());
  }

  static FakeToolCall order(String id, String orderId) {
    return FakeToolCall.of(id, "lookup_order", new JsonObject().put("order_id", orderId));
  }

  @Test
  void two_calls_in_one_step_run_and_the_model_answers_from_their_results(VertxTestContext test) {
    script(app.openai, order("call_1", "A-1042"), order("call_2", "B-7"));
    bot("openai", 5, lookup()).compose(botId -> app.chat(botId, new JsonObject().put("message", "Where are my orders?"))
        .compose(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          JsonObject reply = response.bodyAsJsonObject();
          assertThat(reply.getString("response")).isEqualTo("Let me check.\n\nBoth orders have shipped.");
          assertThat(shopPaths).containsExactlyInAnyOrder("/orders/A-1042", "/orders/B-7");
          List<JsonObject> requests = app.openai.requests();
          assertThat(requests).hasSize(2);
          assertThat(requests.get(0).getJsonArray("tools").getJsonObject(0).getJsonObject("function").getString("name"))
              .isEqualTo("lookup_order");
          JsonArray second = requests.get(1).getJsonArray("messages");
          JsonObject firstResult = second.getJsonObject(second.size() - 2);
          assertThat(firstResult.getString("role")).isEqualTo("tool");
          assertThat(firstResult.getString("tool_call_id")).isEqualTo("call_1");
          assertThat(firstResult.getString("content")).contains("A-1042").contains("shipped");
          assertThat(requests.get(1).encode()).doesNotContain("shop-secret");
          // the two steps' tokens add up into the turn
          int input = FakeModelServer.inputTokens(requests.get(0)) + FakeModelServer.inputTokens(requests.get(1));
          assertThat(reply.getJsonObject("usage").getInteger("input_tokens")).isEqualTo(input);
          return log(botId);
        })).onComplete(test.succeeding(answer -> test.verify(() -> {
          JsonArray calls = answer.getJsonArray("tool_calls");
          assertThat(calls).hasSize(2);
          JsonObject call = calls.getJsonObject(0);
          assertThat(call.getString("tool")).isEqualTo("lookup_order");
          assertThat(call.getString("status")).isEqualTo("done");
          assertThat(call.getString("arguments")).contains("A-1042");
          assertThat(call.getString("result")).contains("shipped");
          assertThat(call.getLong("latency_ms")).isNotNull();
          assertThat(answer.encode()).doesNotContain("shop-secret");
          test.completeNow();
        })));
  }

  /** The answer of the bot's only conversation, as the conversation log shows it. */
  static Future<JsonObject> log(String botId) {
    return app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations").send().compose(list -> {
      String id = list.bodyAsJsonObject().getJsonArray("conversations").getJsonObject(0).getString("id");
      return app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations/" + id).send();
    }).map(conversation -> {
      JsonArray messages = conversation.bodyAsJsonObject().getJsonArray("messages");
      return messages.getJsonObject(messages.size() - 1);
    });
  }

  @Test
  void a_streamed_anthropic_turn_tells_the_visitor_the_label_and_never_the_data(VertxTestContext test) {
    script(app.anthropic, order("toolu_1", "A-1042"));
    app.anthropic.argumentFragments(5);
    bot("anthropic", 5, lookup()).compose(botId -> app.client.post("/api/chat/" + botId)
        .putHeader("Accept", "text/event-stream").sendJsonObject(new JsonObject().put("message", "Where is A-1042?"))
        .compose(response -> {
          SseEvents events = SseEvents.parse(response.bodyAsString());
          assertThat(events.names()).contains("tool", "done");
          List<JsonObject> tools = new java.util.ArrayList<>();
          for (int i = 0; i < events.names().size(); i++) {
            if (events.names().get(i).equals("tool")) {
              tools.add(events.data().get(i));
            }
          }
          assertThat(tools).containsExactly(
              new JsonObject().put("name", "lookup_order").put("label", "Looking up your order…").put("status", "started"),
              new JsonObject().put("name", "lookup_order").put("label", "Looking up your order…").put("status", "done"));
          assertThat(events.deltaText()).isEqualTo("Let me check.\n\nBoth orders have shipped.");
          assertThat(response.bodyAsString()).doesNotContain("A-1042\"").doesNotContain("shipped\"");
          JsonObject followUp = app.anthropic.requests().get(1);
          assertThat(toolResults(followUp)).isEqualTo(1);
          return log(botId);
        })).onComplete(test.succeeding(answer -> test.verify(() -> {
          assertThat(answer.getString("content")).isEqualTo("Let me check.\n\nBoth orders have shipped.");
          assertThat(answer.getJsonArray("tool_calls")).hasSize(1);
          test.completeNow();
        })));
  }

  @Test
  void broken_arguments_an_unknown_tool_and_a_failing_tool_give_the_model_error_results(VertxTestContext test) {
    JsonObject down = lookup().put("name", "check_stock").put("url", "http://127.0.0.1:" + shop.actualPort() + "/stock");
    script(app.openai, new FakeToolCall("call_bad", "lookup_order", "{\"order_id\": \"A-1"),
        order("call_long", "this order id is far too long for the schema"),
        FakeToolCall.of("call_none", "delete_everything", new JsonObject()),
        FakeToolCall.of("call_down", "check_stock", new JsonObject().put("order_id", "X")));
    bot("openai", 5, lookup(), down).compose(botId -> app.chat(botId, new JsonObject().put("message", "Check"))
        .map(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          JsonArray messages = app.openai.requests().get(1).getJsonArray("messages");
          List<String> results = new java.util.ArrayList<>();
          for (Object item : messages) {
            if ("tool".equals(((JsonObject) item).getString("role"))) {
              results.add(((JsonObject) item).getString("content"));
            }
          }
          assertThat(results).hasSize(4);
          assertThat(results.get(0)).startsWith("Error:").contains("valid JSON");
          assertThat(results.get(1)).startsWith("Error: Invalid arguments").contains("order_id");
          assertThat(results.get(2)).startsWith("Error:").contains("no tool named");
          assertThat(results.get(3)).startsWith("Error:").contains("HTTP 503");
          assertThat(shopPaths).containsExactly("/stock?order_id=X");
          return response;
        })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_loop_that_never_ends_stops_at_max_tool_steps_with_a_final_answer(VertxTestContext test) {
    app.openai.argumentFragments(4);
    app.openai.answer(body -> "Still looking.");
    app.openai.answerToolCalls(body -> "none".equals(body.getValue("tool_choice")) ? List.of()
        : List.of(order("call_" + toolResults(body), "A-" + toolResults(body))));
    bot("openai", 2, lookup()).compose(botId -> app.client.post("/api/chat/" + botId)
        .putHeader("Accept", "text/event-stream").sendJsonObject(new JsonObject().put("message", "Loop")))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          SseEvents events = SseEvents.parse(response.bodyAsString());
          assertThat(events.names()).contains("done");
          List<JsonObject> requests = app.openai.requests();
          assertThat(requests).hasSize(3);
          assertThat(requests.get(2).getValue("tool_choice")).isEqualTo("none");
          assertThat(shopPaths).hasSize(2);
          test.completeNow();
        })));
  }

  @Test
  void a_bus_tool_and_the_handoff_tool_reach_their_consumers(Vertx vertx, VertxTestContext test) {
    List<JsonObject> handoffs = new CopyOnWriteArrayList<>();
    List<JsonObject> points = new CopyOnWriteArrayList<>();
    // the real handoff (parley.conversation.handoff) runs; what it announces shows the tool's reason and trigger
    MessageConsumer<JsonObject> handoff = vertx.eventBus().consumer(
        dev.parley.common.Addresses.EVENTS_CONVERSATION_HANDOFF_REQUESTED, message -> handoffs.add(message.body()));
    MessageConsumer<JsonObject> loyalty = vertx.eventBus().consumer("parley.tool.loyalty_points", message -> {
      points.add(message.body());
      message.reply(new JsonObject().put("content", "1200 points"));
    });
    app.openai.answer(body -> toolResults(body) == 0 ? "" : "You have 1200 points; a person will join you.");
    app.openai.answerToolCalls(body -> toolResults(body) == 0 ? List.of(
        FakeToolCall.of("call_points", "loyalty_points", new JsonObject().put("member", "M-1")),
        FakeToolCall.of("call_person", "handoff", new JsonObject().put("reason", "wants a refund"))) : List.of());
    Future.all(handoff.completion(), loyalty.completion())
        .compose(ready -> bot("openai", 5, new JsonObject().put("type", "bus").put("name", "loyalty_points"),
            new JsonObject().put("type", "handoff")))
        .compose(botId -> app.chat(botId, new JsonObject().put("message", "Points? And a refund please"))
            .compose(response -> dev.parley.testing.Await.until(vertx, () -> !handoffs.isEmpty()).map(response))
            .map(response -> {
              JsonObject reply = response.bodyAsJsonObject();
              assertThat(reply.getString("response")).isEqualTo("You have 1200 points; a person will join you.");
              assertThat(points).hasSize(1);
              assertThat(points.get(0).getString("bot_id")).isEqualTo(botId);
              assertThat(points.get(0).getString("session_id")).isEqualTo(reply.getString("session_id"));
              assertThat(points.get(0).getJsonObject("arguments")).isEqualTo(new JsonObject().put("member", "M-1"));
              assertThat(handoffs).hasSize(1);
              JsonObject requested = handoffs.get(0);
              assertThat(requested.getString("bot_id")).isEqualTo(botId);
              assertThat(requested.getString("session_id")).isEqualTo(reply.getString("session_id"));
              assertThat(requested.getString("reason")).isEqualTo("wants a refund");
              assertThat(requested.getString("trigger")).isEqualTo("tool");
              return reply;
            }))
        .eventually(() -> Future.all(handoff.unregister(), loyalty.unregister()))
        .onComplete(test.succeedingThenComplete());
  }
}
