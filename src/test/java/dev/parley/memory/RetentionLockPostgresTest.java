package dev.parley.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.AppConfig;
import dev.parley.common.Addresses;
import dev.parley.testing.OnPostgres;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.Seed;
import dev.parley.testing.TestApp;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Retention in a cluster runs on one node at a time: two memory verticles on one PostgreSQL database asked to run at
 * once delete the old conversations once (one run, one event, the other skips), and while another node holds the
 * advisory lock a run deletes nothing.
 */
@ParleyTest
@OnPostgres
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class RetentionLockPostgresTest {

  static TestApp app;

  private static final long DAY_MS = 86_400_000L;
  private static final int OLD = Retention.BATCH * 6;

  @ParleyConfig
  static JsonObject config() {
    // runs only when asked, so that the test decides when they overlap
    return new JsonObject().put("memory", new JsonObject().put("instances", 1)
        .put("retention", new JsonObject().put("interval_s", 0)));
  }

  private static Future<String> botWithOldConversations(String prefix) {
    return app.createBot(new JsonObject().put("name", "Retention lock").put("retention_days", 1))
        .map(bot -> bot.getString("id"))
        .compose(id -> app.vertx.executeBlocking(() -> {
          Seed.conversations(app, id, prefix, OLD, 10, System.currentTimeMillis() - 10 * DAY_MS);
          return id;
        }));
  }

  private static Future<JsonObject> run() {
    return app.vertx.eventBus().<JsonObject>request(Addresses.MEMORY_RETENTION_RUN, new JsonObject()).map(Message::body);
  }

  private static Future<Long> conversations(String botId) {
    return app.vertx.executeBlocking(() -> app.count("SELECT COUNT(*) FROM conversations WHERE bot_id = '" + botId + "'"));
  }

  @Test
  void two_memory_verticles_running_at_once_delete_once(VertxTestContext test) {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = app.vertx.eventBus().consumer(Addresses.EVENTS_RETENTION_COMPLETED,
        event -> events.add(event.body()));
    JsonObject memoryConfig = AppConfig.forComponent(app.config, "memory");
    Future<String> second = app.vertx.deployVerticle(new MemoryVerticle(), new DeploymentOptions().setConfig(memoryConfig));
    Future.all(consumer.completion(), second, botWithOldConversations("lock-both")).compose(ready -> {
      String botId = ready.resultAt(2);
      // requests to one address go round-robin: one to each memory verticle
      return Future.all(run(), run()).compose(both -> {
        JsonObject first = both.resultAt(0);
        JsonObject other = both.resultAt(1);
        assertThat(List.of(first.getBoolean("ran"), other.getBoolean("ran"))).containsExactlyInAnyOrder(true, false);
        JsonObject ran = first.getBoolean("ran") ? first : other;
        assertThat(ran.getJsonArray("bots").getJsonObject(0).getLong("conversations")).isEqualTo((long) OLD);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getString("bot_id")).isEqualTo(botId);
        assertThat(events.get(0).getLong("conversations")).isEqualTo((long) OLD);
        assertThat(events.get(0).getLong("messages")).isEqualTo(2L * OLD);
        return conversations(botId);
      }).map(left -> {
        assertThat(left).isZero();
        return left;
      });
    }).eventually(() -> second.succeeded() ? app.vertx.undeploy(second.result()) : Future.succeededFuture())
        .eventually(consumer::unregister)
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_run_deletes_nothing_while_another_node_holds_the_lock(VertxTestContext test) throws Exception {
    Connection otherNode = app.jdbc();
    Statement lock = otherNode.createStatement();
    botWithOldConversations("lock-held").compose(botId -> app.vertx.executeBlocking(() ->
            lock.execute("SELECT pg_advisory_lock(" + Retention.LOCK_KEY + ")"))
        .compose(locked -> run())
        .compose(skipped -> {
          assertThat(skipped.getBoolean("ran")).isFalse();
          return conversations(botId);
        })
        .compose(kept -> {
          assertThat(kept).isEqualTo((long) OLD);
          return app.vertx.executeBlocking(() -> lock.execute("SELECT pg_advisory_unlock(" + Retention.LOCK_KEY + ")"));
        })
        .compose(unlocked -> run())
        .compose(ran -> {
          assertThat(ran.getBoolean("ran")).isTrue();
          return conversations(botId);
        })
        .map(left -> {
          assertThat(left).isZero();
          return left;
        }))
        .eventually(() -> app.vertx.executeBlocking(() -> {
          otherNode.close();
          return null;
        }))
        .onComplete(test.succeedingThenComplete());
  }
}
