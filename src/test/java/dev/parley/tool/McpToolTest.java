package dev.parley.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.AddressGate;
import dev.parley.common.InternalAddresses;
import dev.parley.fake.FakeToolCall;
import dev.parley.testing.McpTestServer;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MCP tools against a real MCP server written with the official TypeScript SDK ({@link McpTestServer}): the refresh
 * route lists the server's tools (which needs the secret header to reach it) with {@code allowed_tools} applied; the
 * model calls an MCP tool through the fake OpenAI server and answers from its result; a failing tool, a tool left out
 * by {@code allowed_tools} and arguments that break the listed schema give the model error results; a slow tool times
 * out; the refresh route's refusals; the URL rules (a private address is refused before any connection); the secret
 * header never in the bot's JSON.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class McpToolTest {

  static final String TOKEN = "mcp-shop-secret-24680";
  static TestApp app;
  static McpTestServer server;

  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      server = McpTestServer.start(TOKEN, 5_000);
      return new JsonObject().put("tool", new JsonObject().put("allow_private_urls", true)
          .put("allowed_url_ports", new JsonArray()));
    });
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
  }

  static JsonObject shop() {
    return new JsonObject().put("type", "mcp").put("name", "shop").put("label", "Asking the shop…")
        .put("url", server.url()).put("timeout_ms", 5_000)
        .put("secret_headers", new JsonObject().put("Authorization", "Bearer " + TOKEN))
        .put("allowed_tools", new JsonArray().add("order_status").add("cancel_order"));
  }

  static Future<String> bot(JsonObject... tools) {
    return app.createBot(new JsonObject().put("name", "MCP shop").put("provider", "openai")
            .put("api_key", "sk-test-mcp-000000000000").put("rag", new JsonObject().put("enabled", false))
            .put("tools", new JsonArray(List.of((Object[]) tools))))
        .map(bot -> bot.getString("id"));
  }

  static Future<HttpResponse<Buffer>> refresh(String botId, String tool) {
    return app.admin(HttpMethod.POST, "/api/bots/" + botId + "/tools/" + tool + "/refresh").send();
  }

  /** The contents of the tool results the model was sent, in order. */
  static List<String> toolResults(JsonObject request) {
    List<String> results = new ArrayList<>();
    for (Object item : request.getJsonArray("messages")) {
      if ("tool".equals(((JsonObject) item).getString("role"))) {
        results.add(((JsonObject) item).getString("content"));
      }
    }
    return results;
  }

  @Test
  void the_refresh_route_lists_the_servers_tools_with_the_names_the_model_sees_and_is_audited(VertxTestContext test) {
    bot(shop()).compose(botId -> refresh(botId, "shop").compose(response -> audited("tool.refresh", 0).map(response)))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          JsonArray tools = response.bodyAsJsonObject().getJsonArray("tools");
          assertThat(tools.stream().map(t -> ((JsonObject) t).getString("name")))
              .containsExactlyInAnyOrder("order_status", "cancel_order", "slow_report");
          JsonObject status = tools.stream().map(JsonObject.class::cast)
              .filter(t -> t.getString("name").equals("order_status")).findFirst().orElseThrow();
          assertThat(status.getString("exposed_as")).isEqualTo("shop__order_status");
          assertThat(status.getString("description")).isEqualTo("Tells the status of an order by its id");
          assertThat(status.getJsonObject("parameters").getJsonObject("properties").getJsonObject("order_id")
              .getInteger("maxLength")).isEqualTo(20);
          assertThat(status.getJsonObject("parameters").containsKey("$schema")).isFalse();
          assertThat(status.getBoolean("allowed")).isTrue();
          assertThat(tools.stream().map(JsonObject.class::cast).filter(t -> t.getString("name").equals("slow_report"))
              .findFirst().orElseThrow().getBoolean("allowed")).isFalse();
          assertThat(response.bodyAsString()).doesNotContain(TOKEN);
          test.completeNow();
        })));
  }

  /** Waits (up to 10 s) for an audit entry of {@code action}; the entry is written just after the response. */
  static Future<Void> audited(String action, int attempt) {
    return app.admin(HttpMethod.GET, "/api/audit?limit=200").send().compose(log -> {
      if (log.bodyAsString().contains("\"" + action + "\"")) {
        assertThat(log.bodyAsString()).doesNotContain(TOKEN);
        return Future.succeededFuture();
      }
      return attempt > 200 ? Future.failedFuture("no audit entry " + action)
          : app.vertx.timer(50).compose(v -> audited(action, attempt + 1));
    });
  }

  @Test
  void the_model_calls_an_mcp_tool_and_its_answer_uses_the_result(VertxTestContext test) {
    app.openai.answer(body -> toolResults(body).isEmpty() ? "Let me check."
        : "Here is what I found: " + toolResults(body).get(0));
    app.openai.answerToolCalls(body -> toolResults(body).isEmpty()
        ? List.of(FakeToolCall.of("call_1", "shop__order_status", new JsonObject().put("order_id", "A-1042")))
        : List.of());
    bot(shop()).compose(botId -> app.chat(botId, new JsonObject().put("message", "Where is my order A-1042?"))
        .compose(response -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          assertThat(response.bodyAsJsonObject().getString("response")).isEqualTo("Let me check.\n\n"
              + "Here is what I found: Order A-1042: shipped on Monday, arriving Thursday.");
          List<JsonObject> requests = app.openai.requests();
          assertThat(requests).hasSize(2);
          // the model is offered the allowed tools under their prefixed names, with the listed schema
          List<String> offered = requests.get(0).getJsonArray("tools").stream()
              .map(t -> ((JsonObject) t).getJsonObject("function").getString("name")).toList();
          assertThat(offered).containsExactlyInAnyOrder("shop__order_status", "shop__cancel_order");
          assertThat(requests.get(1).encode()).doesNotContain(TOKEN);
          return app.admin(HttpMethod.GET, "/api/bots/" + botId).send();
        })).onComplete(test.succeeding(bot -> test.verify(() -> {
          JsonObject tool = bot.bodyAsJsonObject().getJsonArray("tools").getJsonObject(0);
          assertThat(tool.getJsonArray("secret_headers_set")).containsExactly("Authorization");
          assertThat(tool.containsKey("secret_headers")).isFalse();
          assertThat(bot.bodyAsString()).doesNotContain(TOKEN);
          test.completeNow();
        })));
  }

  @Test
  void a_failing_tool_a_tool_not_allowed_and_broken_arguments_give_the_model_error_results(VertxTestContext test) {
    app.openai.answer(body -> toolResults(body).isEmpty() ? "" : "Sorry, that did not work.");
    app.openai.answerToolCalls(body -> toolResults(body).isEmpty() ? List.of(
        FakeToolCall.of("call_cancel", "shop__cancel_order", new JsonObject().put("order_id", "A-1042")),
        FakeToolCall.of("call_slow", "shop__slow_report", new JsonObject()),
        FakeToolCall.of("call_long", "shop__order_status", new JsonObject().put("order_id", "x".repeat(40))))
        : List.of());
    bot(shop()).compose(botId -> app.chat(botId, new JsonObject().put("message", "Cancel A-1042")))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          assertThat(response.bodyAsJsonObject().getString("response")).isEqualTo("Sorry, that did not work.");
          List<String> results = toolResults(app.openai.requests().get(1));
          assertThat(results).hasSize(3);
          assertThat(results.get(0)).startsWith("Error: The tool failed").contains("cannot be cancelled: it has shipped");
          assertThat(results.get(1)).startsWith("Error:").contains("no tool named");
          assertThat(results.get(2)).startsWith("Error: Invalid arguments").contains("order_id");
          test.completeNow();
        })));
  }

  @Test
  void a_slow_mcp_tool_times_out_into_an_error_result(VertxTestContext test) {
    JsonObject quick = shop().put("timeout_ms", 500).put("allowed_tools", new JsonArray().add("slow_report"));
    bot(quick).compose(botId -> refresh(botId, "shop").compose(listed -> app.admin(HttpMethod.POST,
            "/api/bots/" + botId + "/tools/shop/test").sendJsonObject(new JsonObject().put("mcp_tool", "slow_report"))))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          JsonObject result = response.bodyAsJsonObject();
          assertThat(result.getString("status")).isEqualTo("failed");
          assertThat(result.getString("error")).isEqualTo("timeout");
          assertThat(result.getString("content")).contains("500 ms");
          test.completeNow();
        })));
  }

  @Test
  void a_wrong_secret_header_fails_the_listing_with_502_and_never_shows_the_header(VertxTestContext test) {
    JsonObject wrong = shop().put("secret_headers", new JsonObject().put("Authorization", "Bearer not-the-token-1357"));
    bot(wrong).compose(botId -> refresh(botId, "shop")).onComplete(test.succeeding(response -> test.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(502);
      JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("tool_failed");
      assertThat(error.getString("message")).isEqualTo("The MCP server answered HTTP 401");
      assertThat(response.bodyAsString()).doesNotContain("not-the-token");
      test.completeNow();
    })));
  }

  @Test
  void refresh_is_refused_to_viewers_and_for_unknown_bots_unknown_tools_and_other_tool_types(VertxTestContext test) {
    JsonObject http = new JsonObject().put("type", "http").put("name", "lookup").put("url", "https://shop.example.com/x");
    bot(shop(), http).compose(botId -> vertxBlocking(() -> {
      Operators people = new Operators(app);
      Operators.SignedIn viewer = people.person("viewer", null);
      return people.as(viewer, HttpMethod.POST, "/api/bots/" + botId + "/tools/shop/refresh");
    }).compose(request -> request.send()).compose(asViewer -> {
      assertThat(asViewer.statusCode()).isEqualTo(403);
      return Future.all(refresh("bot_does_not_exist", "shop"), refresh(botId, "nothing"), refresh(botId, "lookup"));
    })).onComplete(test.succeeding(all -> test.verify(() -> {
      HttpResponse<Buffer> noBot = all.resultAt(0);
      HttpResponse<Buffer> noTool = all.resultAt(1);
      HttpResponse<Buffer> notMcp = all.resultAt(2);
      assertThat(noBot.statusCode()).isEqualTo(404);
      assertThat(noTool.statusCode()).isEqualTo(404);
      assertThat(notMcp.statusCode()).isEqualTo(422);
      test.completeNow();
    })));
  }

  @Test
  void a_server_tool_name_that_cannot_be_used_as_is_gets_a_safe_short_name_with_a_hash() {
    assertThat(McpTool.exposed("shop", "order_status")).isEqualTo("shop__order_status");
    String dotted = McpTool.exposed("shop", "orders.get");
    assertThat(dotted).matches("shop__orders_get_[0-9a-f]{6}");
    assertThat(McpTool.exposed("shop", "orders_get")).isNotEqualTo(dotted);
    String longName = McpTool.exposed("n".repeat(32), "x".repeat(100));
    assertThat(longName).hasSizeLessThanOrEqualTo(64).matches("[a-zA-Z0-9_-]{1,64}");
    assertThat(McpTool.exposed("n".repeat(32), "x".repeat(99))).isNotEqualTo(longName);
  }

  static <T> Future<T> vertxBlocking(java.util.concurrent.Callable<T> work) {
    return app.vertx.executeBlocking(work);
  }

  @Test
  void an_mcp_tool_is_validated_on_save(VertxTestContext test) {
    JsonObject longName = shop().put("name", "n".repeat(33));
    JsonObject reserved = shop().put("headers", new JsonObject().put("Mcp-Session-Id", "fixed"));
    JsonObject badList = shop().put("allowed_tools", "order_status");
    JsonObject badUrl = shop().put("url", "ftp://shop.example.com/mcp");
    List<Future<HttpResponse<Buffer>>> saves = new ArrayList<>();
    for (JsonObject tool : List.of(longName, reserved, badList, badUrl)) {
      saves.add(app.admin(HttpMethod.POST, "/api/bots").sendJsonObject(new JsonObject().put("name", "Bad MCP")
          .put("provider", "openai").put("tools", new JsonArray().add(tool))));
    }
    Future.all(new ArrayList<>(saves)).onComplete(test.succeeding(all -> test.verify(() -> {
      List<String> fields = new ArrayList<>();
      for (Future<HttpResponse<Buffer>> save : saves) {
        assertThat(save.result().statusCode()).as(save.result().bodyAsString()).isEqualTo(422);
        fields.add(save.result().bodyAsJsonObject().getJsonObject("error").getString("field"));
      }
      assertThat(fields).containsExactly("tools[0].name", "tools[0].headers.Mcp-Session-Id", "tools[0].allowed_tools",
          "tools[0].url");
      test.completeNow();
    })));
  }

  @Test
  void the_url_rules_refuse_a_private_address_before_connecting_and_let_a_public_one_through(Vertx vertx,
      VertxTestContext test) {
    // 127.0.0.1 plays a public address here; every other internal address stays refused
    AddressGate gate = new AddressGate(vertx, new AddressGate.Policy(false, Set.of()), InetAddress::getAllByName,
        address -> !address.getHostAddress().equals("127.0.0.1") && InternalAddresses.isInternal(address), "tool");
    McpTool mcp = new McpTool(vertx, gate, HttpToolTest.SECRETS, 60_000);
    JsonObject tool = new JsonObject().put("type", "mcp").put("name", "shop").put("timeout_ms", 5_000)
        .put("secret_headers", new JsonObject().put("Authorization", new JsonObject()
            .put("enc", HttpToolTest.SECRETS.encrypt("Bearer " + TOKEN, HttpToolTest.BOT)).put("hint", "****2468")));
    Future<String> refused = mcp.list(HttpToolTest.BOT, tool.copy().put("url", "http://10.0.0.1:8080/mcp"), false)
        .map(listed -> "listed").recover(failed -> Future.succeededFuture(((ToolFailure) failed).code()));
    Future<String> called = mcp.call(HttpToolTest.BOT, tool.copy().put("url", server.url()), "order_status",
        new JsonObject().put("order_id", "B-7"));
    Future.join(refused, called).eventually(mcp::close).onComplete(test.succeeding(done -> test.verify(() -> {
      assertThat(refused.result()).isEqualTo("url_not_allowed");
      assertThat(called.result()).isEqualTo("Order B-7: shipped on Monday, arriving Thursday.");
      test.completeNow();
    })));
  }
}
