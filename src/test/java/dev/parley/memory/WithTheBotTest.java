package dev.parley.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WithTheBotTest {

  @Test
  void a_read_issued_before_a_state_change_began_or_ended_does_not_keep_its_session() {
    WithTheBot set = WithTheBot.acquire("with-the-bot-race");
    try {
      long beforeTheChange = set.ticket();
      set.forgetAll();
      set.fill("bot_a", "s1", beforeTheChange);
      assertThat(set.contains("bot_a", "s1")).isFalse();
      long duringTheChange = set.ticket();
      set.fill("bot_a", "s2", duringTheChange);
      set.forgetAll();
      assertThat(set.contains("bot_a", "s2")).as("forgotten when the change ends").isFalse();
      set.fill("bot_a", "s3", duringTheChange);
      assertThat(set.contains("bot_a", "s3")).isFalse();
      set.fill("bot_a", "s4", set.ticket());
      assertThat(set.contains("bot_a", "s4")).isTrue();
      assertThat(set.contains("bot_b", "s4")).as("another bot's session of the same name").isFalse();
    } finally {
      set.release();
    }
  }

  @Test
  void it_keeps_at_most_its_bound_the_least_recently_asked_going_first() {
    WithTheBot set = WithTheBot.acquire("with-the-bot-bound");
    try {
      set.fill("bot_a", "first", set.ticket());
      for (int i = 0; i < WithTheBot.MAX_SESSIONS; i++) {
        if (i == WithTheBot.MAX_SESSIONS / 2) {
          assertThat(set.contains("bot_a", "first")).isTrue();
        }
        set.fill("bot_a", "s" + i, set.ticket());
      }
      assertThat(set.size()).isEqualTo(WithTheBot.MAX_SESSIONS);
      assertThat(set.contains("bot_a", "first")).as("asked halfway, so kept").isTrue();
      assertThat(set.contains("bot_a", "s0")).as("the least recently asked").isFalse();
    } finally {
      set.release();
    }
  }

  @Test
  void the_memory_instances_of_a_database_share_one_set_until_the_last_lets_go() {
    WithTheBot first = WithTheBot.acquire("with-the-bot-shared");
    WithTheBot second = WithTheBot.acquire("with-the-bot-shared");
    assertThat(second).isSameAs(first);
    WithTheBot other = WithTheBot.acquire("with-the-bot-other");
    assertThat(other).isNotSameAs(first);
    other.release();
    first.fill("bot_a", "s1", first.ticket());
    first.release();
    WithTheBot third = WithTheBot.acquire("with-the-bot-shared");
    assertThat(third).isSameAs(second);
    assertThat(third.contains("bot_a", "s1")).isTrue();
    second.release();
    third.release();
    WithTheBot reopened = WithTheBot.acquire("with-the-bot-shared");
    assertThat(reopened).isNotSameAs(first);
    assertThat(reopened.contains("bot_a", "s1")).isFalse();
    reopened.release();
  }
}
