package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.BotKeys;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every route that reads a body stops at its limit with 413 in its own error shape, the routes added after the
 * first review included: 64 KiB for accounts, keys, tokens, the inbox, handoffs and {@code /mcp} (a JSON-RPC error
 * body), 1 MiB for evaluations and stored-answer imports.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class BodyLimitsTest {

  static TestApp app;
  static String botId;

  @BeforeAll
  static void bot() {
    botId = Await.result(app.createBot(new JsonObject().put("name", "Limits"))).getString("id");
  }

  private static String over(int bytes) {
    return "{\"name\": \"" + "x".repeat(bytes) + "\"}";
  }

  private static HttpResponse<Buffer> send(HttpRequest<Buffer> request, String type, String body) {
    return Await.result(request.putHeader("Content-Type", type).sendBuffer(Buffer.buffer(body)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/users", "/api/bots/{bot}/api-keys", "/api/bots/{bot}/answers", "/api/setup",
      "/api/bots/{bot}/conversations/c/messages", "/api/chat/{bot}/session/limits-session-1/handoff",
      "/api/chat/{bot}/session/limits-session-1/follow-up", "/api/bots/{bot}/tools/t/test"})
  void a_json_body_past_64_kib_is_413(String route) {
    String path = route.replace("{bot}", botId);
    HttpRequest<Buffer> request = path.startsWith("/api/chat/") || path.equals("/api/setup")
        ? app.client.post(path) : app.admin(HttpMethod.POST, path);
    HttpResponse<Buffer> response = send(request, "application/json", over(70_000));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(413);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("payload_too_large");
  }

  @Test
  void evaluations_and_answer_imports_stop_at_1_mib() {
    String bot = "/api/bots/" + botId;
    String csv = "question\r\n" + ("Why " + "y".repeat(1_000) + "?\r\n").repeat(1_100);
    HttpResponse<Buffer> evaluation = send(app.admin(HttpMethod.POST, bot + "/evaluations"), "text/csv", csv);
    assertThat(evaluation.statusCode()).as(evaluation.bodyAsString()).isEqualTo(413);
    HttpResponse<Buffer> answers = send(app.admin(HttpMethod.POST, bot + "/answers/import"), "text/csv",
        "question,answer\r\n" + csv);
    assertThat(answers.statusCode()).as(answers.bodyAsString()).isEqualTo(413);
  }

  @Test
  void an_mcp_request_past_64_kib_is_413_with_a_json_rpc_error() {
    String key = new BotKeys(app).key(botId);
    HttpResponse<Buffer> response = send(new BotKeys(app).with(key, HttpMethod.POST, "/mcp"), "application/json",
        "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\", \"params\": {\"x\": \"" + "x".repeat(70_000) + "\"}}");
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(413);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("jsonrpc")).isEqualTo("2.0");
    assertThat(body.getJsonObject("error").getInteger("code")).isEqualTo(-32600);
    assertThat(body.getJsonObject("error").getJsonObject("data").getString("code")).isEqualTo("payload_too_large");
  }
}
