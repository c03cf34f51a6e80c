package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ShoutProvider;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bot names a provider that runs: a built-in one or one a custom provider announced, whether it started
 * before the bot verticle, with it (an extension) or after it. A misspelt name is refused with 422 listing the
 * known ones, instead of failing every chat.
 */
@ParleyTest
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ProviderNamesTest {

  private static TestApp app;

  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    // "early" announces before any bot verticle listens: the bot verticle must ask for it when it starts
    return vertx.deployVerticle(new ShoutProvider(), new DeploymentOptions().setConfig(new JsonObject().put("name", "early")))
        .map(early -> new JsonObject().put("extensions", new JsonArray()
            .add(new JsonObject().put("verticle", ShoutProvider.class.getName()))));
  }

  private static JsonObject bot(String provider) {
    return new JsonObject().put("name", "Named").put("provider", provider).put("api_key", "sk-own-key-for-this-bot");
  }

  @Test
  void a_misspelt_provider_is_refused_listing_the_known_ones(VertxTestContext test) {
    app.admin(HttpMethod.POST, "/api/bots").sendJsonObject(bot("opneai")).map(response -> {
      assertThat(response.statusCode()).isEqualTo(422);
      JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("unknown_provider");
      assertThat(error.getString("field")).isEqualTo("provider");
      assertThat(error.getString("message")).contains("opneai").contains("openai").contains("anthropic")
          .contains("extractive").contains("shout").contains("early");
      return response;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_update_to_a_misspelt_provider_is_refused(VertxTestContext test) {
    app.createBot(bot("openai")).compose(created -> app.admin(HttpMethod.PUT, "/api/bots/" + created.getString("id"))
        .sendJsonObject(new JsonObject().put("provider", "antropic"))).map(response -> {
          assertThat(response.statusCode()).isEqualTo(422);
          assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unknown_provider");
          return response;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void providers_announced_before_or_with_the_bot_verticle_are_accepted(VertxTestContext test) {
    app.createBot(bot("early")).compose(early -> app.createBot(bot("shout")))
        .compose(shout -> app.chat(shout.getString("id"), new JsonObject().put("message", "still here")))
        .map(response -> {
          assertThat(response.bodyAsJsonObject().getString("response")).isEqualTo("STILL HERE");
          return response;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_provider_deployed_after_start_is_accepted_once_it_announces(Vertx vertx, VertxTestContext test) {
    vertx.deployVerticle(new ShoutProvider(), new DeploymentOptions().setConfig(new JsonObject().put("name", "late")))
        .compose(late -> app.createBot(bot("late")))
        .map(created -> {
          assertThat(created.getString("provider")).isEqualTo("late");
          return created;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_fallback_to_a_provider_that_is_not_built_in_is_refused(VertxTestContext test) {
    app.admin(HttpMethod.POST, "/api/bots").sendJsonObject(bot("openai")
            .put("fallback", new JsonObject().put("provider", "shout"))).map(response -> {
              assertThat(response.statusCode()).isEqualTo(422);
              JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
              assertThat(error.getString("field")).isEqualTo("fallback.provider");
              assertThat(error.getString("message")).contains("openai, anthropic or extractive");
              return response;
            }).onComplete(test.succeedingThenComplete());
  }
}
