package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void a_session_id_is_8_to_64_letters_digits_dashes_or_underscores() {
    assertThat(Ids.isSessionId("abcd-12_")).isTrue();
    assertThat(Ids.isSessionId("a".repeat(64))).isTrue();
    assertThat(Ids.isSessionId("abc")).isFalse();
    assertThat(Ids.isSessionId("a".repeat(65))).isFalse();
    assertThat(Ids.isSessionId("abcdefgh'--")).isFalse();
    assertThat(Ids.isSessionId(null)).isFalse();
  }

  @Test
  void a_malformed_session_id_is_a_400_invalid_session_id() {
    assertThat(Ids.requireSessionId("session-1")).isEqualTo("session-1");
    for (Object bad : new Object[] {null, 12345678, "../../etc/passwd"}) {
      assertThatThrownBy(() -> Ids.requireSessionId(bad)).isInstanceOfSatisfying(ParleyException.class, e -> {
        assertThat(e.status()).isEqualTo(ErrorCodes.BAD_REQUEST);
        assertThat(e.code()).isEqualTo(Ids.INVALID_SESSION_ID);
      });
    }
  }

  @Test
  void an_ordered_id_is_a_version_7_uuid_that_sorts_by_its_millisecond_and_differs_within_one() {
    long millis = 1_796_000_000_123L;
    java.util.UUID id = java.util.UUID.fromString(Ids.ordered(millis));
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(millis);
    assertThat(Ids.ordered(millis)).isNotEqualTo(Ids.ordered(millis));
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (long ms = millis; ms < millis + 2_000; ms += 7) {
      ids.add(Ids.ordered(ms));
    }
    assertThat(ids).isSorted().allSatisfy(each -> assertThat(Ids.isEntityId(each)).isTrue());
    java.util.Set<Long> lowBits = new java.util.HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      lowBits.add(java.util.UUID.fromString(Ids.ordered(millis)).getLeastSignificantBits());
    }
    assertThat(lowBits).as("the random part").hasSize(1_000);
  }

  @Test
  void a_turn_without_a_session_id_starts_a_new_session() {
    assertThat(Ids.isSessionId(Ids.sessionIdOrNew(null))).isTrue();
    assertThat(Ids.sessionIdOrNew("session-1")).isEqualTo("session-1");
    assertThatThrownBy(() -> Ids.sessionIdOrNew("short")).isInstanceOf(ParleyException.class);
  }

  @Test
  void an_id_that_could_name_nothing_stored_is_not_found() {
    assertThat(Ids.requireEntityId("bot_1", "Bot")).isEqualTo("bot_1");
    assertThatThrownBy(() -> Ids.requireEntityId("bot/1", "Bot")).isInstanceOfSatisfying(ParleyException.class, e -> {
      assertThat(e.status()).isEqualTo(ErrorCodes.NOT_FOUND);
      assertThat(e.getMessage()).isEqualTo("Bot not found");
    });
    assertThat("bot_1".matches(Ids.ENTITY_ID_REGEX)).isTrue();
    assertThat(Ids.isEntityId("a".repeat(65))).isFalse();
  }

  @Test
  void a_request_id_may_also_hold_dots() {
    assertThat(Ids.isRequestId("trace.42-a_b")).isTrue();
    assertThat(Ids.isRequestId("bad id")).isFalse();
    assertThat(Ids.isRequestId(null)).isFalse();
  }
}
