package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnicodeTextTest {

  @Test
  void lone_high_and_low_surrogates_are_not_well_formed_and_pairs_are() {
    assertThat(UnicodeText.wellFormed("a\uD800b")).isFalse();
    assertThat(UnicodeText.wellFormed("a\uDC00")).isFalse();
    assertThat(UnicodeText.wellFormed("\uD800")).isFalse();
    assertThat(UnicodeText.wellFormed("\uDE00\uD83D")).as("a pair in the wrong order").isFalse();
    assertThat(UnicodeText.wellFormed("smile \uD83D\uDE00 and plain text")).isTrue();
    assertThat(UnicodeText.wellFormed("")).isTrue();
  }

  @Test
  void a_prefix_never_ends_inside_a_surrogate_pair() {
    assertThat(UnicodeText.prefix("a\uD83D\uDE00b", 2)).isEqualTo("a");
    assertThat(UnicodeText.prefix("a\uD83D\uDE00b", 3)).isEqualTo("a\uD83D\uDE00");
    assertThat(UnicodeText.prefix("abc", 2)).isEqualTo("ab");
    assertThat(UnicodeText.prefix("abc", 10)).isEqualTo("abc");
  }

  @Test
  void nul_and_lone_surrogates_are_replaced_and_pairs_kept() {
    assertThat(UnicodeText.replaceInvalid("a\u0000b\ud800c\udc00d\ud83d\ude00")).isEqualTo("a\uFFFDb\uFFFDc\uFFFDd\ud83d\ude00");
    assertThat(UnicodeText.withoutNul("a\u0000\ud800")).isEqualTo("a\uFFFD\ud800");
    assertThat(UnicodeText.replaceInvalid(null)).isNull();
  }

  @Test
  void line_breaks_bells_and_invisible_format_characters_are_found_and_plain_text_passes() {
    assertThat(UnicodeText.hasControlOrFormat("Grace\nHopper")).isTrue();
    assertThat(UnicodeText.hasControlOrFormat("a\u200bb")).isTrue();
    assertThat(UnicodeText.hasControlOrFormat("Grâce Hopper \ud83d\ude00")).isFalse();
  }
}
