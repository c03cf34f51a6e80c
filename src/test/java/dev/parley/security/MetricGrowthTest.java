package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chat metrics do not grow with what visitors do: a deleted bot's series go, the active-session gauge tracks a
 * bounded number of sessions, and a turn with missing usage (a stream cut short) is counted without failing.
 */
@ParleyTest(measured = true)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class MetricGrowthTest {

  private static TestApp app;

  @Test
  void a_deleted_bots_series_are_removed() throws Exception {
    String bot = app.createBot(new JsonObject().put("name", "Short-lived").put("api_key", "sk-growth-test-00000")).await(10, TimeUnit.SECONDS).getString("id");
    assertThat(app.chat(bot, new JsonObject().put("message", "hi")).await(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(eventually(metrics -> metrics.contains("bot=\"" + bot + "\""))).contains("bot=\"" + bot + "\"");

    assertThat(app.admin(HttpMethod.DELETE, "/api/bots/" + bot).send().await(10, TimeUnit.SECONDS).statusCode())
        .isEqualTo(204);
    assertThat(eventually(metrics -> !metrics.contains(bot))).doesNotContain(bot);
  }

  @Test
  void active_sessions_are_tracked_up_to_a_cap_and_null_usage_counts_zero() throws Exception {
    int turns = 100_000 + 500;
    for (int i = 0; i < turns; i++) {
      app.vertx.eventBus().publish(Addresses.EVENTS_TURN_COMPLETED, new JsonObject().put(Fields.BOT_ID, "bot_flood")
          .put(Fields.SESSION_ID, "flood-session-" + i).put(Fields.STATUS, "incomplete")
          .put(Fields.USAGE, new JsonObject().putNull(Fields.INPUT_TOKENS).putNull(Fields.OUTPUT_TOKENS).putNull(Fields.COST)));
    }
    String counted = "parley_turns_total{bot=\"bot_flood\",status=\"incomplete\"} " + turns + ".0";
    String metrics = eventually(scrape -> scrape.contains(counted));
    assertThat(metrics).contains(counted);
    assertThat(metrics).contains("parley_sessions_active 100000.0");
    assertThat(metrics).contains("parley_tokens_total{bot=\"bot_flood\",kind=\"input\"} 0.0");
  }

  /** The first scrape that satisfies {@code done}, or the last one after 60 s. */
  private static String eventually(java.util.function.Predicate<String> done) throws Exception {
    String metrics = scrape();
    for (int i = 0; i < 300 && !done.test(metrics); i++) {
      Thread.sleep(200);
      metrics = scrape();
    }
    return metrics;
  }

  private static String scrape() throws Exception {
    return app.admin(HttpMethod.GET, "/metrics").send().await(20, TimeUnit.SECONDS).bodyAsString();
  }
}
