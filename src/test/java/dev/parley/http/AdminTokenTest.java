package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class AdminTokenTest {

  @TempDir
  Path dataDir;

  @Test
  void a_generated_token_is_printed_once_and_only_its_hash_is_kept(Vertx vertx, VertxTestContext test) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true));
    JsonObject config = new JsonObject().put("data_dir", dataDir.toString());
    String first;
    String second;
    try {
      first = AdminToken.resolve(vertx, config).await();
      second = AdminToken.resolve(vertx, config).await();
    } finally {
      System.setOut(original);
    }
    Matcher printed = Pattern.compile("(pa_[A-Za-z0-9_-]{43})").matcher(captured.toString());
    assertThat(printed.find()).isTrue();
    String token = printed.group(1);
    assertThat(printed.find()).as("printed once").isFalse();
    assertThat(second).isEqualTo(first);
    String stored = Files.readString(dataDir.resolve("admin-token.sha256"));
    assertThat(stored).doesNotContain(token).contains(first);
    AdminToken check = new AdminToken(first);
    assertThat(check.matches(token)).isTrue();
    assertThat(check.matches(token + "x")).isFalse();
    assertThat(check.matches("")).isFalse();
    test.completeNow();
  }

  @Test
  void a_configured_token_wins_and_nothing_is_written(Vertx vertx, VertxTestContext test) throws Exception {
    String hash = AdminToken.resolve(vertx, new JsonObject().put("data_dir", dataDir.toString())
        .put("admin_token", "my-own-token-Vq3xK8pLm2Rt9Zs4")).await();
    assertThat(new AdminToken(hash).matches("my-own-token-Vq3xK8pLm2Rt9Zs4")).isTrue();
    assertThat(Files.exists(dataDir.resolve("admin-token.sha256"))).isFalse();
    test.completeNow();
  }
}
