package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How many documents of unknown size (a sitemap's new pages) a bot's quotas leave room for. */
class QuotasTest {

  @Test
  void the_room_is_what_the_count_leaves_and_never_negative() {
    Quotas quotas = new Quotas(10, 1_000);
    assertThat(quotas.room(7, 0, 5)).isEqualTo(3);
    assertThat(quotas.room(7, 0, 2)).isEqualTo(2);
    assertThat(quotas.room(10, 0, 5)).isZero();
    assertThat(quotas.room(12, 0, 5)).as("a bot already past a lowered limit").isZero();
  }

  @Test
  void no_room_once_the_bytes_are_past_their_limit_and_all_of_it_without_limits() {
    assertThat(new Quotas(10, 1_000).room(1, 1_001, 5)).isZero();
    assertThat(new Quotas(10, 1_000).room(1, 1_000, 5)).as("as check() lets a URL in").isEqualTo(5);
    assertThat(new Quotas(0, 0).room(1_000_000, Long.MAX_VALUE, 5)).isEqualTo(5);
  }
}
