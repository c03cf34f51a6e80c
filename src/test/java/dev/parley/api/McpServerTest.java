package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.testing.Await;
import dev.parley.testing.BotKeys;
import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /mcp}: the bot a key opens as MCP tools, used through the MCP Java SDK's client. */
@ParleyTest
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class McpServerTest {

  private static TestApp app;
  private static BotKeys keys;

  @BeforeAll
  static void keys() {
    keys = new BotKeys(app);
  }

  @BeforeEach
  void resetFakes() {
    app.openai.reset();
  }

  private static String bot() {
    return Await.result(app.createBot(new JsonObject().put("name", "Docs helper").put("provider", "openai")
        .put("api_key", "sk-test-mcp")
        .put("prompt", "You answer questions about the docs."))).getString("id");
  }

  private static McpSyncClient client(String key) {
    HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
        .builder("http://127.0.0.1:" + app.port).endpoint("/mcp")
        .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + key)).build();
    return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build();
  }

  @Test
  void an_agent_lists_the_bots_tools_and_asks_it_a_question() {
    String botId = bot();
    String key = keys.key(botId);
    app.openai.answerWith("The docs live under /docs.");
    try (McpSyncClient mcp = client(key)) {
      McpSchema.InitializeResult init = mcp.initialize();
      assertThat(init.serverInfo().name()).isEqualTo("parley");
      assertThat(mcp.listTools().tools()).extracting(McpSchema.Tool::name)
          .containsExactly("ask_" + botId, "search_" + botId);

      McpSchema.CallToolResult answer = mcp.callTool(new McpSchema.CallToolRequest("ask_" + botId,
          Map.of("question", "Where are the docs?")));
      assertThat(answer.isError()).isFalse();
      assertThat(((McpSchema.TextContent) answer.content().get(0)).text()).isEqualTo("The docs live under /docs.");
    }
    assertThat(app.openai.requests().get(0).getJsonArray("messages").getJsonObject(0).getString("content"))
        .contains("You answer questions about the docs.");
    JsonObject conversation = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations").send())
        .bodyAsJsonObject().getJsonArray("conversations").getJsonObject(0);
    assertThat(conversation.getString("channel")).isEqualTo("api");
  }

  @Test
  void an_agent_searches_the_bots_knowledge_base() throws Exception {
    String botId = bot();
    JsonObject doc = Await.result(Knowledge.addText(app, botId, "Shipping",
        "Parcels to Norway take three to five working days."));
    assertThat(Await.result(Knowledge.settled(app, botId, doc.getString("id")), 90).getString("status")).isEqualTo("ready");
    String key = keys.key(botId);
    try (McpSyncClient mcp = client(key)) {
      mcp.initialize();
      McpSchema.CallToolResult found = mcp.callTool(new McpSchema.CallToolRequest("search_" + botId,
          Map.of("query", "How long does shipping to Norway take?")));
      assertThat(found.isError()).isFalse();
      assertThat(((McpSchema.TextContent) found.content().get(0)).text()).contains("three to five working days")
          .contains("Shipping");
      assertThatThrownBy(() -> mcp.callTool(new McpSchema.CallToolRequest("ask_someone_else", Map.of("question", "x"))))
          .hasMessageContaining("Unknown tool");
    }
  }

  @Test
  void mcp_refuses_requests_without_a_live_key_or_session() {
    String botId = bot();
    JsonObject ping = new JsonObject().put("jsonrpc", "2.0").put("id", 1).put("method", "ping");
    HttpResponse<Buffer> noKey = Await.result(keys.with(null, HttpMethod.POST, "/mcp").sendJsonObject(ping));
    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(noKey.bodyAsJsonObject().getJsonObject("error").getInteger("code")).isEqualTo(-32600);
    assertThatThrownBy(() -> {
      try (McpSyncClient mcp = client("pk_made-up")) {
        mcp.initialize();
      }
    }).isNotNull();

    String key = keys.key(botId);
    HttpResponse<Buffer> noSession = Await.result(keys.with(key, HttpMethod.POST, "/mcp").sendJsonObject(ping));
    assertThat(noSession.statusCode()).isEqualTo(400);
    HttpResponse<Buffer> init = Await.result(keys.with(key, HttpMethod.POST, "/mcp").sendJsonObject(new JsonObject()
        .put("jsonrpc", "2.0").put("id", 1).put("method", "initialize").put("params", new JsonObject()
            .put("protocolVersion", "2025-06-18"))));
    String session = init.getHeader("Mcp-Session-Id");
    assertThat(init.bodyAsJsonObject().getJsonObject("result").getString("protocolVersion")).isEqualTo("2025-06-18");
    String otherKey = keys.key(botId);
    HttpResponse<Buffer> foreign = Await.result(keys.with(otherKey, HttpMethod.POST, "/mcp")
        .putHeader("Mcp-Session-Id", session).sendJsonObject(ping));
    assertThat(foreign.statusCode()).isEqualTo(404);
    HttpResponse<Buffer> pong = Await.result(keys.with(key, HttpMethod.POST, "/mcp")
        .putHeader("Mcp-Session-Id", session).sendJsonObject(ping));
    assertThat(pong.statusCode()).isEqualTo(200);
    assertThat(pong.bodyAsJsonObject().getJsonObject("result")).isEqualTo(new JsonObject());
    assertThat(Await.result(keys.with(key, HttpMethod.GET, "/mcp").send()).statusCode()).isEqualTo(405);
  }

  @Test
  void params_and_tool_arguments_that_are_not_objects_are_invalid_params() {
    String key = keys.key(bot());
    HttpResponse<Buffer> init = Await.result(keys.with(key, HttpMethod.POST, "/mcp").sendJsonObject(new JsonObject()
        .put("jsonrpc", "2.0").put("id", 1).put("method", "initialize").put("params", new JsonObject()
            .put("protocolVersion", "2025-06-18"))));
    String session = init.getHeader("Mcp-Session-Id");
    for (JsonObject call : new JsonObject[] {
        new JsonObject().put("method", "tools/list").put("params", new JsonArray().add("x")),
        new JsonObject().put("method", "tools/call").put("params", "search"),
        new JsonObject().put("method", "tools/call").put("params", new JsonObject().put("name", "search_knowledge")
            .put("arguments", "refund policy"))}) {
      HttpResponse<Buffer> refused = Await.result(keys.with(key, HttpMethod.POST, "/mcp")
          .putHeader("Mcp-Session-Id", session).sendJsonObject(call.put("jsonrpc", "2.0").put("id", 7)));
      assertThat(refused.statusCode()).as(call.encode()).isEqualTo(200);
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getInteger("code")).as(call.encode()).isEqualTo(-32602);
      assertThat(refused.bodyAsJsonObject().getInteger("id")).isEqualTo(7);
    }
  }
}
