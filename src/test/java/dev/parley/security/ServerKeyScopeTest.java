package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.AppConfig;
import dev.parley.fake.FakeOpenAi;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server's OpenAI key goes only where it belongs: its configured base URL. A bot with a base URL of its own
 * brings its own key (422 naming {@code api_key} on save), and a stored bot that points elsewhere without one
 * never sends the server's key there (the provider step checks at call time).
 */
@ParleyTest
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ServerKeyScopeTest {

  private static final String SERVER_KEY = "sk-" + LogCanary.MARK + "-server-wide-key";
  private static final String BOT_KEY = "sk-bot-own-key-0123456789";

  private static TestApp app;
  /** Another OpenAI-compatible server: what a bot's own base_url points at. */
  private static FakeOpenAi elsewhere;

  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    return FakeOpenAi.start(vertx).map(other -> {
      elsewhere = other;
      return new JsonObject().put("provider",
          new JsonObject().put("openai", new JsonObject().put("api_key", SERVER_KEY)));
    });
  }

  @AfterAll
  static void stop(VertxTestContext test) {
    elsewhere.close().onComplete(test.succeedingThenComplete());
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
    elsewhere.reset();
  }

  private static JsonObject bot(String baseUrl) {
    return new JsonObject().put("name", "Own host").put("provider", "openai").put("model", "gpt-4o-mini")
        .put("base_url", baseUrl);
  }

  private static boolean sawServerKey(FakeOpenAi server) {
    return server.requestHeaders().stream()
        .anyMatch(headers -> headers.entries().stream().anyMatch(header -> header.getValue().contains(SERVER_KEY)));
  }

  @Test
  void a_bot_with_its_own_base_url_and_no_key_is_refused_naming_api_key(VertxTestContext test) {
    app.admin(HttpMethod.POST, "/api/bots").sendJsonObject(bot(elsewhere.baseUrl())).map(response -> {
      assertThat(response.statusCode()).isEqualTo(422);
      JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("field")).isEqualTo("api_key");
      assertThat(error.getString("message")).contains("base_url").doesNotContain(SERVER_KEY);
      return response;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void moving_a_keyless_bot_to_another_host_is_refused_naming_api_key(VertxTestContext test) {
    app.createBot(bot(null)).compose(created -> app.admin(HttpMethod.PUT, "/api/bots/" + created.getString("id"))
        .sendJsonObject(new JsonObject().put("base_url", elsewhere.baseUrl() + "/")))
        .map(response -> {
          assertThat(response.statusCode()).isEqualTo(422);
          assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("api_key");
          return response;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_bot_with_its_own_base_url_and_key_sends_its_own_key_there(VertxTestContext test) {
    app.createBot(bot(elsewhere.baseUrl()).put("api_key", BOT_KEY))
        .compose(created -> app.chat(created.getString("id"), new JsonObject().put("message", "hi")))
        .map(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(elsewhere.requestHeaders()).hasSize(1);
          assertThat(elsewhere.requestHeaders().get(0).get("Authorization")).isEqualTo("Bearer " + BOT_KEY);
          assertThat(sawServerKey(elsewhere)).isFalse();
          return response;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void the_server_key_still_goes_to_the_configured_base_url_named_by_a_bot(VertxTestContext test) {
    app.createBot(bot(app.openai.baseUrl()))
        .compose(created -> app.chat(created.getString("id"), new JsonObject().put("message", "hi")))
        .map(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(app.openai.requestHeaders().get(0).get("Authorization")).isEqualTo("Bearer " + SERVER_KEY);
          return response;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stored_bot_pointing_elsewhere_without_a_key_never_sends_the_server_key(VertxTestContext test) {
    app.createBot(bot(null)).compose(created -> {
      String id = created.getString("id");
      return app.storeBotSettings(id, config -> config.put("base_url", elsewhere.baseUrl()))
          .compose(v -> app.chat(id, new JsonObject().put("message", "hi")))
          .compose(chat -> {
            assertThat(chat.statusCode()).isEqualTo(503);
            assertThat(elsewhere.requestCount()).isZero();
            assertThat(sawServerKey(elsewhere)).isFalse();
            return app.admin(HttpMethod.GET, "/api/bots/" + id).send();
          })
          .map(shown -> {
            JsonArray warnings = shown.bodyAsJsonObject().getJsonArray("warnings");
            assertThat(warnings.stream().map(w -> ((JsonObject) w).getString("field"))).contains("api_key");
            return shown;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void embeddings_with_a_base_url_of_their_own_do_not_get_the_openai_key() {
    JsonObject config = new JsonObject()
        .put("provider", new JsonObject().put("openai", new JsonObject().put("api_key", SERVER_KEY)))
        .put("rag", new JsonObject().put("embeddings", new JsonObject().put("provider", "openai")
            .put("base_url", "https://embeddings.example.net/v1")));
    JsonObject foreign = AppConfig.forComponent(config, "rag").getJsonObject("embeddings");
    assertThat(foreign.getValue("api_key")).isNull();

    config.getJsonObject("rag").getJsonObject("embeddings").put("base_url", "https://API.openai.com:443/v1");
    JsonObject vendor = AppConfig.forComponent(config, "rag").getJsonObject("embeddings");
    assertThat(vendor.getString("api_key")).isEqualTo(SERVER_KEY);

    config.getJsonObject("rag").getJsonObject("embeddings").remove("base_url");
    JsonObject shared = AppConfig.forComponent(config, "rag").getJsonObject("embeddings");
    assertThat(shared.getString("api_key")).isEqualTo(SERVER_KEY);
  }
}
