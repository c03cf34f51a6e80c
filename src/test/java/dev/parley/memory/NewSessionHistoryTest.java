package dev.parley.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.Fields;
import dev.parley.common.MemoryClient;
import dev.parley.common.Timeouts;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A new visitor's first turn on SQLite: the state read that finds no conversation tells the history cache the session
 * has no history, so the history the turn asks for next is not a second read; what the turn stores then shows.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class NewSessionHistoryTest {

  private static final String RID = "new-session-history";

  static TestApp app;

  private static HistoryCache cache() {
    return HistoryCache.acquire("parley-sqlite:" + app.dataDir.resolve("parley.db").toAbsolutePath().normalize(), 1);
  }

  private static Future<JsonObject> state(Vertx vertx, String botId, String sessionId) {
    return new Bus(vertx).request(RID, Addresses.CONVERSATION_STATE_GET,
        new JsonObject().put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, sessionId), 5_000);
  }

  @Test
  void a_session_without_a_conversation_has_an_empty_history_held_until_its_first_turn_is_stored(Vertx vertx,
      VertxTestContext test) {
    HistoryCache cache = cache();
    MemoryClient memory = new MemoryClient(new Bus(vertx), new Timeouts(5_000, 5_000, 5_000, 5_000, 0));
    app.client.post("/api/bots").putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN)
        .sendJsonObject(new JsonObject().put("name", "new sessions").put("provider", "extractive"))
        .map(created -> created.bodyAsJsonObject().getString("id"))
        .compose(botId -> state(vertx, botId, "session-new-0001")
            .compose(state -> {
              assertThat(state.getString(Fields.STATE)).isEqualTo("bot");
              assertThat(cache.get(botId, "session-new-0001", 20)).as("held, and empty").isEqualTo(new JsonArray());
              return app.client.post("/api/chat/" + botId)
                  .sendJsonObject(new JsonObject().put("message", "hello").put(Fields.SESSION_ID, "session-new-0001"));
            })
            .compose(answered -> {
              assertThat(answered.statusCode()).as(answered.bodyAsString()).isEqualTo(200);
              return memory.history(RID, botId, "session-new-0001", 20);
            })
            .compose(history -> {
              assertThat(history).extracting(m -> ((JsonObject) m).getString("role")).containsExactly("user", "assistant");
              assertThat(cache.get(botId, "session-new-0001", 20)).isEqualTo(history);
              // a session that has a conversation is not taken for a new one
              cache.forget(botId, "session-new-0001");
              return state(vertx, botId, "session-new-0001");
            })
            .map(state -> {
              assertThat(cache.get(botId, "session-new-0001", 20)).isNull();
              return null;
            }))
        .onComplete(done -> {
          cache.release();
          if (done.failed()) {
            test.failNow(done.cause());
          } else {
            test.completeNow();
          }
        });
  }
}
