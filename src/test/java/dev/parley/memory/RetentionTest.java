package dev.parley.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.Seed;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The retention job as it runs by itself (every second here): conversations last active longer ago than their bot's
 * {@code retention_days} go with their messages, in batches; recent ones, and bots without retention, stay; the day
 * totals do not move; the deleted session's cached history is gone; each run that deleted something publishes its
 * counts. {@code retention_days} outside 1..3650 is refused.
 */
@ParleyTest
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class RetentionTest {

  static TestApp app;

  private static final long DAY_MS = 86_400_000L;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("memory", new JsonObject().put("retention", new JsonObject()
        .put("interval_s", 1).put("first_run_s", 1)));
  }

  private static Future<String> bot(Object retentionDays) {
    return app.createBot(new JsonObject().put("name", "Retention").put("provider", "openai")
        .put("api_key", "sk-retention-test-0123456789").put("rag", new JsonObject().put("enabled", false))
        .put("retention_days", retentionDays)).map(bot -> bot.getString("id"));
  }

  private static Future<JsonObject> turn(String botId, String session, String message) {
    return app.chat(botId, new JsonObject().put("message", message).put("session_id", session)).map(response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      return response.bodyAsJsonObject();
    });
  }

  private static Future<JsonArray> stats(String botId) {
    return app.admin(HttpMethod.GET, "/api/bots/" + botId + "/stats?days=7").send()
        .map(response -> response.bodyAsJsonObject().getJsonArray("days"));
  }

  /** Makes the session's conversation last active {@code days} ago, behind the API. */
  private static Future<Void> age(String botId, String session, int days) {
    return app.vertx.executeBlocking(() -> {
      try (var connection = app.jdbc(); var update = connection.prepareStatement(
          "UPDATE conversations SET updated_at = ? WHERE bot_id = ? AND session_id = ?")) {
        update.setLong(1, System.currentTimeMillis() - days * DAY_MS);
        update.setString(2, botId);
        update.setString(3, session);
        assertThat(update.executeUpdate()).isEqualTo(1);
        return null;
      }
    });
  }

  @Test
  void old_conversations_go_recent_ones_stay_and_the_totals_do_not_move(VertxTestContext test) {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = app.vertx.eventBus().consumer(Addresses.EVENTS_RETENTION_COMPLETED,
        event -> events.add(event.body()));
    Future.all(bot(2), bot(null), consumer.completion()).compose(bots -> {
      String kept = bots.resultAt(0);
      String forever = bots.resultAt(1);
      return turn(kept, "retention-old", "remember the word quince")
          .compose(r -> turn(kept, "retention-new", "a recent question"))
          .compose(r -> turn(forever, "retention-forever", "an old question of a bot that keeps all"))
          .compose(r -> app.vertx.executeBlocking(() -> {
            // more than a batch of old conversations, so the job deletes in several transactions
            Seed.conversations(app, kept, "retention-seeded", Retention.BATCH * 2 + 7, 10,
                System.currentTimeMillis() - 30 * DAY_MS);
            return null;
          }))
          .compose(v -> stats(kept))
          .compose(before -> age(kept, "retention-old", 3)
              .compose(v -> age(forever, "retention-forever", 400))
              .compose(v -> age(kept, "retention-new", 1))
              .compose(v -> Await.until(app.vertx, () -> events.stream().anyMatch(e -> kept.equals(e.getString("bot_id"))),
                  20_000))
              .compose(v -> stats(kept))
              .map(after -> {
                assertThat(after).isEqualTo(before);
                return null;
              }))
          .compose(v -> app.vertx.executeBlocking(() -> new long[] {
              app.count("SELECT COUNT(*) FROM conversations WHERE bot_id = '" + kept + "'"),
              app.count("SELECT COUNT(*) FROM conversations WHERE bot_id = '" + kept + "' AND session_id = 'retention-new'"),
              app.count("SELECT COUNT(*) FROM messages WHERE bot_id = '" + kept + "'"),
              app.count("SELECT COUNT(*) FROM messages WHERE content LIKE '%quince%'"),
              app.count("SELECT COUNT(*) FROM messages WHERE bot_id = '" + forever + "'")}))
          .map(counts -> {
            JsonObject event = events.stream().filter(e -> kept.equals(e.getString("bot_id"))).findFirst().orElseThrow();
            assertThat(event.getLong("conversations")).isEqualTo(Retention.BATCH * 2 + 8L);
            assertThat(event.getLong("messages")).isEqualTo(2L * (Retention.BATCH * 2 + 8));
            assertThat(event.getLong("before")).isLessThan(System.currentTimeMillis() - 2 * DAY_MS + 60_000);
            assertThat(events).noneMatch(e -> forever.equals(e.getString("bot_id")));
            assertThat(counts[0]).as("the kept bot's conversations").isEqualTo(1);
            assertThat(counts[1]).as("its recent one").isEqualTo(1);
            assertThat(counts[2]).as("its messages").isEqualTo(2);
            assertThat(counts[3]).as("the old session's text").isZero();
            assertThat(counts[4]).as("the messages of the bot that keeps all").isEqualTo(2);
            return kept;
          })
          .compose(id -> turn(id, "retention-old", "what was the word?"))
          .map(r -> {
            JsonArray prompt = app.openai.requests().get(app.openai.requests().size() - 1).getJsonArray("messages");
            assertThat(prompt.encode()).doesNotContain("quince");
            assertThat(prompt).hasSize(2);
            return kept;
          })
          .compose(id -> audited(id, 50))
          .map(entry -> {
            assertThat(entry.getJsonObject("actor").getString("kind")).isEqualTo("system");
            assertThat(entry.getString("target_id")).isEqualTo(kept);
            assertThat(entry.getJsonObject("changes").getLong("conversations")).isEqualTo(Retention.BATCH * 2 + 8L);
            return entry;
          });
    }).eventually(consumer::unregister).onComplete(test.succeedingThenComplete());
  }

  /** The bot's one {@code retention.run} entry of the audit log, asked for again until it is stored. */
  private static Future<JsonObject> audited(String botId, int tries) {
    return app.admin(HttpMethod.GET, "/api/audit?action=retention.run&bot_id=" + botId).send().compose(response -> {
      JsonArray entries = response.bodyAsJsonObject().getJsonArray("entries");
      if (!entries.isEmpty() || tries <= 0) {
        assertThat(entries).hasSize(1);
        return Future.succeededFuture(entries.getJsonObject(0));
      }
      return app.vertx.timer(100).compose(v -> audited(botId, tries - 1));
    });
  }

  @Test
  void retention_days_outside_one_to_3650_is_refused(VertxTestContext test) {
    bot(null).compose(id -> {
      Object[] bad = {0, -1, 3651, 1.5, "30", true};
      Future<Void> chain = Future.succeededFuture();
      for (Object value : bad) {
        chain = chain.compose(v -> app.admin(HttpMethod.PUT, "/api/bots/" + id)
            .sendJsonObject(new JsonObject().put("retention_days", value)).map(response -> {
              assertThat(response.statusCode()).as("retention_days %s", value).isEqualTo(422);
              assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("retention_days");
              return null;
            }));
      }
      return chain.compose(v -> app.admin(HttpMethod.PUT, "/api/bots/" + id)
              .sendJsonObject(new JsonObject().put("retention_days", 3650)))
          .compose(ok -> {
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.bodyAsJsonObject().getInteger("retention_days")).isEqualTo(3650);
            return app.admin(HttpMethod.PUT, "/api/bots/" + id).sendJsonObject(new JsonObject().putNull("retention_days"));
          })
          .map(cleared -> {
            assertThat(cleared.statusCode()).isEqualTo(200);
            assertThat(cleared.bodyAsJsonObject().getValue("retention_days")).isNull();
            return null;
          });
    }).onComplete(test.succeedingThenComplete());
  }
}
