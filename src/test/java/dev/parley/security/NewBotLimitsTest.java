package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A new bot is limited out of the box (20 turns per session and 120 per address per minute, in code and in the
 * shipped {@code bot.new_bot_rate_limit}), while the deployment's own {@code http.rate_limit} stays off, so bots
 * stored before keep answering as they did.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class NewBotLimitsTest {

  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    // no bot.new_bot_rate_limit at all: the built-in limits (TestApp turns them off for other tests)
    return new JsonObject().put("bot", new JsonObject().putNull("new_bot_rate_limit"));
  }

  @Test
  void the_shipped_config_limits_new_bots_to_20_turns_per_session_and_120_per_address() {
    JsonObject shipped = TestApp.defaults().getJsonObject("bot").getJsonObject("new_bot_rate_limit");
    assertThat(shipped.getInteger("per_session_per_minute")).isEqualTo(20);
    assertThat(shipped.getInteger("per_address_per_minute")).isEqualTo(120);
  }

  @Test
  void a_new_bot_gets_20_turns_per_session_and_120_per_address_per_minute(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Fresh")).map(bot -> {
      JsonObject limits = bot.getJsonObject("rate_limit");
      assertThat(limits.getInteger("per_session_per_minute")).isEqualTo(20);
      assertThat(limits.getInteger("per_address_per_minute")).isEqualTo(120);
      return bot;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void limits_given_at_creation_replace_the_defaults_one_by_one(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Own limits")
        .put("rate_limit", new JsonObject().put("per_session_per_minute", 0))).map(bot -> {
          JsonObject limits = bot.getJsonObject("rate_limit");
          assertThat(limits.getInteger("per_session_per_minute")).isZero();
          assertThat(limits.getInteger("per_address_per_minute")).isEqualTo(120);
          return bot;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void the_21st_turn_of_a_session_within_a_minute_is_refused_with_429(Vertx vertx, VertxTestContext test) {
    // 21 turns take well under a second, but not if the one-minute window turns over between them
    long intoMinute = System.currentTimeMillis() % 60_000;
    long wait = intoMinute > 50_000 ? 60_500 - intoMinute : 1;
    List<Integer> statuses = new ArrayList<>();
    vertx.timer(wait).compose(v -> app.createBot(new JsonObject().put("name", "Limited").put("provider", "extractive"))).compose(bot -> {
      Future<Void> turns = Future.succeededFuture();
      for (int i = 0; i < 21; i++) {
        int turn = i;
        turns = turns.compose(v -> app.chat(bot.getString("id"),
                new JsonObject().put("message", "turn " + turn).put("session_id", "limited-session-1"))
            .map(response -> {
              statuses.add(response.statusCode());
              return null;
            }));
      }
      return turns;
    }).map(v -> {
      assertThat(statuses.subList(0, 20)).containsOnly(200);
      assertThat(statuses.get(20)).isEqualTo(429);
      return v;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_bot_stored_without_limits_keeps_them_through_an_update(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Older")).compose(bot -> {
      String id = bot.getString("id");
      return app.storeBotSettings(id, config -> {
        config.remove("rate_limit");
        return config;
      }).compose(v -> app.admin(HttpMethod.PUT, "/api/bots/" + id)
          .sendJsonObject(new JsonObject().put("prompt", "Still no limits.")));
    }).map(updated -> {
      assertThat(updated.statusCode()).isEqualTo(200);
      JsonObject limits = updated.bodyAsJsonObject().getJsonObject("rate_limit");
      assertThat(limits.getValue("per_session_per_minute")).isNull();
      assertThat(limits.getValue("per_address_per_minute")).isNull();
      return updated;
    }).onComplete(test.succeedingThenComplete());
  }
}
