package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.BotKeys;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.RawHttp;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Item 19 of issue 11: HEAD on every GET route answers as GET would, without the body (CDNs and uptime checks). */
@ParleyTest
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class HeadRequestsTest {

  private static TestApp app;
  private static String botId;
  private static String key;

  @BeforeAll
  static void bot(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Headed")).onComplete(test.succeeding(bot -> {
      botId = bot.getString("id");
      test.completeNow();
    }));
  }

  @ParameterizedTest(name = "HEAD {0}")
  @ValueSource(strings = {"/widget.js", "/chat/{bot}", "/chat/{bot}?embed=1", "/admin/", "/admin/admin.js",
      "/admin/admin.css", "/chat/chat.js", "/openapi.yaml", "/docs", "/docs/init.js", "/docs/assets/swagger-ui.css",
      "/health/live", "/api/chat/{bot}/config", "/api/chat/{bot}/session/head-session-1",
      "/api/bots", "/api/bots/{bot}", "/api/bots/{bot}/documents", "/api/bots/{bot}/stats",
      "/api/bots/{bot}/answers", "/api/bots/{bot}/answers/export", "/api/bots/{bot}/gaps", "/api/bots/{bot}/evaluations",
      "/api/bots/{bot}/api-keys", "/api/bots/{bot}/conversations", "/api/users", "/api/audit", "/api/inbox", "/api/me",
      "/api/setup", "/api/auth/sso", "/v1/models", "/v1/models/{bot}", "/v1/models/bot_missing",
      "/chat/bot_missing", "/nothing-here", "/"})
  void head_answers_like_get_without_a_body(String route) throws Exception {
    String path = route.replace("{bot}", botId);
    HttpResponse<Buffer> get = send(HttpMethod.GET, path);
    HttpResponse<Buffer> head = send(HttpMethod.HEAD, path);
    assertThat(head.statusCode()).as("status").isEqualTo(get.statusCode()).isNotEqualTo(405);
    for (String header : List.of("Content-Type", "Content-Security-Policy", "Cache-Control", "Location")) {
      assertThat(head.getHeader(header)).as(header).isEqualTo(get.getHeader(header));
    }
    int length = get.body() == null ? 0 : get.body().length();
    assertThat(head.getHeader("Content-Length")).as("Content-Length").isEqualTo(String.valueOf(length));
    assertThat(head.body() == null ? 0 : head.body().length()).as("HEAD body").isZero();
  }

  @Test
  void head_on_the_widget_sends_no_body_bytes_on_the_wire() throws Exception {
    String answer = RawHttp.exchange(app.vertx, app.port,
        "HEAD /widget.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 10_000).await(20, TimeUnit.SECONDS);
    assertThat(answer).startsWith("HTTP/1.1 200 ").containsIgnoringCase("content-type: text/javascript")
        .endsWith("\r\n\r\n");
  }

  /**
   * Readiness renders its checks as it answers (Vert.x's handler), so its HEAD has the GET's status and type but no
   * Content-Length, which RFC 9110 §9.3.2 allows for a header known only while generating the content.
   */
  @Test
  void head_on_readiness_has_the_get_status_and_type_and_no_body() throws Exception {
    HttpResponse<Buffer> get = send(HttpMethod.GET, "/health/ready");
    HttpResponse<Buffer> head = send(HttpMethod.HEAD, "/health/ready");
    assertThat(head.statusCode()).isEqualTo(get.statusCode()).isEqualTo(200);
    assertThat(head.getHeader("Content-Type")).isEqualTo(get.getHeader("Content-Type"));
    assertThat(head.body() == null ? 0 : head.body().length()).as("HEAD body").isZero();
  }

  @Test
  void head_where_get_is_not_allowed_is_405() throws Exception {
    assertThat(send(HttpMethod.HEAD, "/api/chat/" + botId).statusCode()).isEqualTo(405);
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path) throws Exception {
    if (key == null && path.startsWith("/v1/")) {
      key = new BotKeys(app).key(botId);
    }
    HttpRequest<Buffer> request = path.startsWith("/v1/") ? new BotKeys(app).with(key, method, path)
        : path.startsWith("/api/") && !path.startsWith("/api/chat/") && !path.equals("/api/setup")
        || path.equals("/metrics") ? app.admin(method, path) : app.client.request(method, path);
    return request.send().await(20, TimeUnit.SECONDS);
  }
}
