package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void components_loading_the_key_file_at_a_first_start_all_get_the_one_key_written(@TempDir Path dir) throws IOException {
    Vertx vertx = Vertx.vertx();
    try {
      for (int round = 0; round < 20; round++) {
        Path data = dir.resolve("data-" + round);
        List<Future<SecretBox>> loads = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          loads.add(SecretBox.load(vertx, new JsonObject().put("data_dir", data.toString())));
        }
        Await.result(Future.all(loads));
        String sealed = loads.get(0).result().encrypt("sk-live-abc", "bot-a");
        for (Future<SecretBox> load : loads) {
          assertThat(load.result().decrypt(sealed, "bot-a")).isEqualTo("sk-live-abc");
        }
        SecretBox reloaded = Await.result(SecretBox.load(vertx, new JsonObject().put("data_dir", data.toString())));
        assertThat(reloaded.decrypt(sealed, "bot-a")).isEqualTo("sk-live-abc");
        try (Stream<Path> files = Files.list(data)) {
          assertThat(files.map(f -> f.getFileName().toString())).containsExactly("secret.key");
        }
      }
    } finally {
      Await.result(vertx.close());
    }
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
