package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a page on {@code evil.example} whose name is made to point at Parley sends requests whose
 * {@code Host} and {@code Origin} agree. Only the configured {@code public_url} is Parley's own origin, and no
 * decision or URL Parley gives out depends on the {@code Host} header (catalogue issue 11, item 6).
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class DnsRebindingTest {

  private static TestApp app;
  private static String botId;

  @BeforeAll
  static void bot(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Shop").put("api_key", "sk-test-rebinding")
        .put("allowed_origins", new JsonArray().add("https://shop.example"))).onComplete(test.succeeding(bot -> {
      botId = bot.getString("id");
      test.completeNow();
    }));
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
  }

  /** Reaches this Parley while naming {@code host} in the Host header, as a browser on a rebound name does. */
  private static HttpRequest<Buffer> as(String host, HttpMethod method, String path) {
    return app.client.request(method, SocketAddress.inetSocketAddress(app.port, "127.0.0.1"), app.port, host, path);
  }

  @Test
  void an_origin_that_matches_the_host_header_is_not_parleys_own(VertxTestContext test) {
    JsonObject hi = new JsonObject().put("message", "hi");
    String rebound = "http://evil.example:" + app.port;
    String loopbackName = "http://localhost:" + app.port;
    Future<HttpResponse<Buffer>> chat = as("evil.example", HttpMethod.POST, "/api/chat/" + botId)
        .putHeader("Origin", rebound).sendJsonObject(hi);
    Future<HttpResponse<Buffer>> preflight = as("evil.example", HttpMethod.OPTIONS, "/api/chat/" + botId)
        .putHeader("Origin", rebound).putHeader("Access-Control-Request-Method", "POST").send();
    Future<HttpResponse<Buffer>> history = as("evil.example", HttpMethod.GET, "/api/chat/" + botId + "/session/abcdefgh12")
        .putHeader("Origin", rebound).send();
    Future<HttpResponse<Buffer>> otherName = as("localhost", HttpMethod.POST, "/api/chat/" + botId)
        .putHeader("Origin", loopbackName).sendJsonObject(hi);
    Future.all(List.of(chat, preflight, history, otherName)).onComplete(test.succeeding(all -> test.verify(() -> {
      for (Future<HttpResponse<Buffer>> refused : List.of(chat, preflight, history, otherName)) {
        HttpResponse<Buffer> response = refused.result();
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(403);
        assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("origin_not_allowed");
        assertThat(response.getHeader("Access-Control-Allow-Origin")).isNull();
      }
      assertThat(app.openai.requestCount()).as("model calls").isZero();
      test.completeNow();
    })));
  }

  @Test
  void the_public_urls_origin_is_allowed_whatever_the_host_header_says(VertxTestContext test) {
    String own = "http://127.0.0.1:" + app.port;
    as("evil.example", HttpMethod.POST, "/api/chat/" + botId).putHeader("Origin", own)
        .sendJsonObject(new JsonObject().put("message", "hi"))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo(own);
          test.completeNow();
        })));
  }

  @Test
  void deploy_codes_and_redirects_do_not_follow_the_host_header(VertxTestContext test) {
    Future<HttpResponse<Buffer>> bot = as("evil.example", HttpMethod.GET, "/api/bots/" + botId)
        .putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN).send();
    Future<HttpResponse<Buffer>> root = as("evil.example", HttpMethod.GET, "/").followRedirects(false).send();
    Future<HttpResponse<Buffer>> admin = as("evil.example", HttpMethod.GET, "/admin").followRedirects(false).send();
    Future.all(bot, root, admin).onComplete(test.succeeding(all -> test.verify(() -> {
      JsonObject deploy = bot.result().bodyAsJsonObject().getJsonObject("deploy");
      assertThat(deploy.getString("chat_url")).isEqualTo("http://127.0.0.1:" + app.port + "/chat/" + botId);
      assertThat(deploy.getString("embed_code")).contains("http://127.0.0.1:" + app.port + "/widget.js")
          .doesNotContain("evil");
      assertThat(root.result().statusCode()).isEqualTo(302);
      assertThat(root.result().getHeader("Location")).isEqualTo("/admin/");
      assertThat(admin.result().getHeader("Location")).isEqualTo("/admin/");
      test.completeNow();
    })));
  }
}
