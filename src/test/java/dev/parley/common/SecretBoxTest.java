package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class SecretBoxTest {

  private final SecretBox box = SecretBox.ofKey(sha256("test master key"));

  @Test
  void a_key_decrypts_for_its_bot_again_and_again() {
    String sealed = box.encrypt("sk-live-abc", "bot-a");

    assertThat(box.decrypt(sealed, "bot-a")).isEqualTo("sk-live-abc");
    assertThat(box.decrypt(sealed, "bot-a")).isEqualTo("sk-live-abc");
    assertThat(sealed).doesNotContain("sk-live-abc");
  }

  @Test
  void a_key_decrypted_once_still_does_not_open_for_another_bot() {
    String sealed = box.encrypt("sk-live-abc", "bot-a");
    box.decrypt(sealed, "bot-a");

    assertThatThrownBy(() -> box.decrypt(sealed, "bot-b"))
        .isInstanceOfSatisfying(ParleyException.class, e -> assertThat(e.code()).isEqualTo("secret_unreadable"));
  }

  @Test
  void another_master_key_does_not_open_what_this_one_decrypted_before() {
    String sealed = box.encrypt("sk-live-abc", "bot-a");
    box.decrypt(sealed, "bot-a");

    SecretBox other = SecretBox.ofKey(sha256("another master key"));
    assertThatThrownBy(() -> other.decrypt(sealed, "bot-a")).isInstanceOf(ParleyException.class);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
