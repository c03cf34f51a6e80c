package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashesTest {

  private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void sha256_matches_the_published_test_vector() {
    assertThat(Hashes.sha256Hex("abc")).isEqualTo(ABC);
    assertThat(Hashes.sha256Hex("abc".getBytes(StandardCharsets.UTF_8))).isEqualTo(ABC);
    assertThat(Hashes.sha256(new byte[0])).hasSize(32);
  }

  @Test
  void text_is_hashed_as_utf8() {
    assertThat(Hashes.sha256Hex("é")).isEqualTo(Hashes.sha256Hex(new byte[] {(byte) 0xc3, (byte) 0xa9}));
  }
}
