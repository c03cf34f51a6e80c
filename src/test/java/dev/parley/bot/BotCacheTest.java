package dev.parley.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.LocalBots;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the bot component's chat cache lends the node: each bot it read, until a change takes it out. */
class BotCacheTest {

  private final Vertx vertx = Vertx.vertx();
  private final LocalBots local = LocalBots.of(vertx);
  private final BotCache cache = new BotCache(60_000, local);

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void a_bot_read_is_lent_to_the_node_until_a_change_evicts_it() {
    cache.get("bot_1", () -> Future.succeededFuture(new JsonObject().put("model", "a")));
    assertThat(local.get("bot_1").getString("model")).isEqualTo("a");

    cache.evict("bot_1");
    assertThat(local.get("bot_1")).isNull();
    cache.get("bot_1", () -> Future.succeededFuture(new JsonObject().put("model", "b")));
    assertThat(local.get("bot_1").getString("model")).isEqualTo("b");
  }

  @Test
  void a_read_that_a_change_overtook_is_never_lent() {
    Promise<JsonObject> slowRead = Promise.promise();
    cache.get("bot_1", slowRead::future);
    cache.evict("bot_1");
    slowRead.complete(new JsonObject().put("model", "before the change"));
    assertThat(local.get("bot_1")).isNull();
  }

  @Test
  void a_failed_read_lends_nothing() {
    cache.get("bot_1", () -> Future.failedFuture(new IllegalStateException("no database")));
    assertThat(local.get("bot_1")).isNull();
  }
}
