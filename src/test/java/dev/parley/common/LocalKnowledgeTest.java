package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bots a node's knowledge-base component found with nothing to search: until a change, an expiry or the bound. */
class LocalKnowledgeTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void a_bot_found_empty_is_held_until_any_change_and_one_vertx_instance_shares_one_holder() {
    LocalKnowledge local = LocalKnowledge.of(vertx);
    assertThat(LocalKnowledge.of(vertx)).isSameAs(local);
    assertThat(local.isEmpty("bot_1")).isFalse();
    local.empty("bot_1", local.ticket());
    local.empty("bot_2", local.ticket());
    assertThat(local.isEmpty("bot_1")).isTrue();
    Vertx other = Vertx.vertx();
    try {
      assertThat(LocalKnowledge.of(other).isEmpty("bot_1")).as("another Vert.x instance").isFalse();
    } finally {
      other.close();
    }

    local.changed();
    assertThat(local.isEmpty("bot_1")).isFalse();
    assertThat(local.isEmpty("bot_2")).as("a change to any bot forgets every bot").isFalse();
  }

  @Test
  void a_look_that_a_change_overtook_is_not_kept() {
    LocalKnowledge local = LocalKnowledge.of(vertx);
    long before = local.ticket();
    local.changed(); // a document became ready while the search looked
    local.empty("bot_1", before);
    assertThat(local.isEmpty("bot_1")).isFalse();
    local.empty("bot_1", local.ticket());
    assertThat(local.isEmpty("bot_1")).isTrue();
  }

  @Test
  void an_expired_bot_is_asked_again_and_the_holder_keeps_at_most_its_bound() {
    LocalKnowledge local = LocalKnowledge.of(vertx);
    local.empty("old", local.ticket(), System.currentTimeMillis() - 1);
    assertThat(local.isEmpty("old")).isFalse();
    assertThat(local.size()).isZero();

    for (int i = 0; i < LocalKnowledge.MAX + 10; i++) {
      local.empty("bot_" + i, local.ticket());
      assertThat(local.size()).isLessThanOrEqualTo(LocalKnowledge.MAX);
    }
  }
}
