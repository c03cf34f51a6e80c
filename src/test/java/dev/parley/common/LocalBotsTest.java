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
    bots.put("old", new JsonObject(), System.currentTimeMillis() - LocalBots.LAPSE_MS - 1);
    assertThat(bots.get("old")).isNull();
    assertThat(bots.get("old")).as("taken out").isNull();
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

  @Test
  void a_lapsed_bot_sends_its_first_reader_to_ask_and_is_lent_to_the_others_until_it_is_refreshed() {
    LocalBots bots = LocalBots.of(vertx);
    bots.put("bot_1", new JsonObject().put("model", "gpt-4o-mini"), System.currentTimeMillis() - 1);
    assertThat(bots.get("bot_1")).as("the first reader after the expiry asks").isNull();
    assertThat(bots.get("bot_1")).as("the others meanwhile").isEqualTo(new JsonObject().put("model", "gpt-4o-mini"));
    assertThat(bots.get("bot_1")).isNotNull();

    bots.put("bot_1", new JsonObject().put("model", "gpt-4.1"), System.currentTimeMillis() + 60_000);
    assertThat(bots.get("bot_1").getString("model")).as("refreshed").isEqualTo("gpt-4.1");

    bots.put("bot_2", new JsonObject().put("model", "o3"), System.currentTimeMillis() - 1);
    assertThat(bots.get("bot_2")).isNull();
    assertThat(bots.lapsed("bot_2")).as("for that reader, when its request goes unanswered").isNotNull();
    bots.evict("bot_2");
    assertThat(bots.lapsed("bot_2")).isNull();
    assertThat(bots.get("bot_2")).as("a change takes a lapsed bot out too").isNull();
  }

  @Test
  void the_reader_refreshing_a_lapsed_bot_gets_the_lapsed_copy_when_the_bot_component_does_not_answer()
      throws Exception {
    LocalBots.of(vertx).put("bot_1", new JsonObject().put("model", "gpt-4o-mini"), System.currentTimeMillis() - 1);
    BotClient bots = new BotClient(new Bus(vertx), new Timeouts(1_000, 1_000, 1_000, 1_000, 0));
    // no bot component runs here: the refresh is not answered at all
    JsonObject lent = bots.getForChat("lapse", "bot_1").toCompletionStage().toCompletableFuture().get();
    assertThat(lent.getString("model")).isEqualTo("gpt-4o-mini");
    Throwable unknown = bots.getForChat("lapse", "bot_never_held").transform(io.vertx.core.Future::succeededFuture)
        .toCompletionStage().toCompletableFuture().get().cause();
    assertThat(unknown).isInstanceOfSatisfying(ParleyException.class,
        failure -> assertThat(failure.code()).isEqualTo("service_unavailable"));
  }
}
