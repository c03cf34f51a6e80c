package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the chat page is told and what it holds to, the server holds to as well: the public config
 * carries only what the page draws, and a bot's message limit is the server's, counted in characters
 * (code points) whatever a client counts. (Citation modes: {@link CitationModesTest}.)
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ClientPoliciesTest {

  static TestApp app;

  @Test
  void the_public_config_carries_only_what_the_page_draws(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Configured").put("provider", "openai").put("model", "gpt-4o")
        .put("api_key", "sk-config-secret-0123456789").put("prompt", "SECRET PROMPT").put("max_message_chars", 500)
        .put("fallback_text", "SECRET FALLBACK").put("fallback", new JsonObject().put("provider", "extractive"))
        .put("rate_limit", new JsonObject().put("per_session_per_minute", 7))
        .put("budget", new JsonObject().put("daily_tokens", 99_999).put("message", "SECRET BUDGET"))
        .put("handoff", new JsonObject().put("enabled", true).put("message_waiting", "A person is coming")
            .put("message_offline", "Leave us a note")
            .put("triggers", new JsonObject().put("keywords", new JsonArray().add("SECRETWORD"))))
        .put("widget", new JsonObject().put("title", "Help").put("greeting", "Hello")
            .put("starter_questions", new JsonArray().add("Opening hours?")).put("citations", "none")))
        .compose(bot -> app.client.get("/api/chat/" + bot.getString("id") + "/config").send().map(response -> {
          JsonObject config = response.bodyAsJsonObject();
          assertThat(config.fieldNames()).isEqualTo(Set.of("id", "name", "max_message_chars", "widget", "handoff"));
          // the handoff's triggers and hours stay server-side: the page needs only whether and what to say
          assertThat(config.getJsonObject("handoff")).isEqualTo(new JsonObject().put("enabled", true)
              .put("message_waiting", "A person is coming").put("message_offline", "Leave us a note"));
          assertThat(config.getJsonObject("widget").fieldNames()).isEqualTo(Set.of("title", "color", "position",
              "greeting", "avatar_url", "starter_questions", "citations"));
          assertThat(config.getInteger("max_message_chars")).isEqualTo(500);
          assertThat(config.getJsonObject("widget").getString("citations")).isEqualTo("none");
          assertThat(response.bodyAsString()).doesNotContain("SECRET", "sk-config", "gpt-4o", "openai", "99999", "extractive");
          return config;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void the_message_limit_is_held_by_the_server_in_characters_not_utf16_units(VertxTestContext test) {
    String ten = "\uD83D\uDE00".repeat(10);
    app.createBot(new JsonObject().put("name", "Short").put("api_key", "sk-short-0123456789")
        .put("max_message_chars", 10).put("rag", new JsonObject().put("enabled", false))).compose(bot -> {
          String id = bot.getString("id");
          int calls = app.openai.requestCount();
          return app.chat(id, new JsonObject().put("message", ten)).compose(fits -> {
            assertThat(fits.statusCode()).as("ten emoji are ten characters").isEqualTo(200);
            return app.chat(id, new JsonObject().put("message", ten + "!"));
          }).map(over -> {
            assertThat(over.statusCode()).isEqualTo(413);
            assertThat(over.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("message_too_long");
            assertThat(app.openai.requestCount()).isEqualTo(calls + 1);
            return over;
          });
        }).onComplete(test.succeedingThenComplete());
  }
}
