package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bots a node's bot component lends its other verticles: copies, until they expire, at most a bound of them. */
class LocalBotsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void every_reader_gets_its_own_copy_of_a_held_bot_and_one_vertx_instance_shares_one_holder() {
    LocalBots bots = LocalBots.of(vertx);
    assertThat(LocalBots.of(vertx)).isSameAs(bots);
    JsonObject held = new JsonObject().put("id", "bot_1").put("model", "gpt-4o-mini");
    bots.put("bot_1", held, System.currentTimeMillis() + 60_000);

    JsonObject first = bots.get("bot_1");
    first.put("model", "changed by a reader");
    assertThat(bots.get("bot_1").getString("model")).isEqualTo("gpt-4o-mini");
    assertThat(first).isNotSameAs(held);
    Vertx other = Vertx.vertx();
    try {
      assertThat(LocalBots.of(other).get("bot_1")).as("another Vert.x instance").isNull();
    } finally {
      other.close();
    }
  }

  @Test
  void an_expired_or_evicted_bot_is_not_lent_and_the_holder_keeps_at_most_its_bound() {
    LocalBots bots = LocalBots.of(vertx);
    bots.put("old", new JsonObject(), System.currentTimeMillis() - 1);
    assertThat(bots.get("old")).isNull();
    bots.put("gone", new JsonObject(), System.currentTimeMillis() + 60_000);
    bots.evict("gone");
    assertThat(bots.get("gone")).isNull();

    for (int i = 0; i < LocalBots.MAX + 10; i++) {
      bots.put("bot_" + i, new JsonObject(), System.currentTimeMillis() + 60_000);
      assertThat(bots.size()).isLessThanOrEqualTo(LocalBots.MAX);
    }
    bots.clear();
    assertThat(bots.size()).isZero();
  }
}
