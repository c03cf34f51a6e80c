package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.SecretBox;
import dev.parley.http.AdminToken;
import dev.parley.testing.Await;
import dev.parley.testing.TestApp;
import dev.parley.webhook.WebhookVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Item 10 of issue 11: Parley refuses to start with a short or predictable admin token or secret-key passphrase. */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WeakSecretsTest {

  @TempDir
  Path dataDir;

  @Test
  void parley_does_not_start_with_admin_token_admin_and_says_why(Vertx vertx) throws Exception {
    Throwable failure = Await.failure(TestApp.start(vertx, dataDir, new JsonObject().put("admin_token", "admin")));
    assertThat(failure.getMessage()).contains("PARLEY_ADMIN_TOKEN").contains("too short").contains("at least 24")
        .contains("openssl rand").doesNotContain(": admin");
  }

  @ParameterizedTest(name = "admin token {0}")
  @ValueSource(strings = {"change-me", "adminadminadminadminadminadmin", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "passwordpasswordpassword"})
  void short_or_repeated_admin_tokens_are_refused(String weak, Vertx vertx) throws Exception {
    Throwable failure = Await.failure(AdminToken.resolve(vertx, new JsonObject().put("data_dir", dataDir.toString())
        .put("admin_token", weak)));
    assertThat(failure.getMessage()).containsPattern("too (short|predictable)").doesNotContain(weak);
    assertThat(Files.exists(dataDir.resolve("admin-token.sha256"))).isFalse();
  }

  @ParameterizedTest(name = "admin token {0}")
  @ValueSource(strings = {"3f9a1c7e5b2d8f4a6c0e1b3d5f7a9c2e", "pa_Hx8Kq2Vw9Lm4Rt7Zs1Nc6Bd3Fg5Jy0Pe",
      "correct horse battery staple"})
  void random_tokens_and_long_passphrases_are_accepted(String strong, Vertx vertx) throws Exception {
    String hash = AdminToken.resolve(vertx, new JsonObject().put("data_dir", dataDir.toString())
        .put("admin_token", strong)).await(10, TimeUnit.SECONDS);
    assertThat(hash).hasSize(64);
  }

  @Test
  void a_generated_token_still_works(Vertx vertx) throws Exception {
    String hash = AdminToken.resolve(vertx, new JsonObject().put("data_dir", dataDir.toString())).await(10, TimeUnit.SECONDS);
    assertThat(Files.readString(dataDir.resolve("admin-token.sha256")).strip()).isEqualTo(hash);
  }

  @ParameterizedTest(name = "secret key {0}")
  @ValueSource(strings = {"k", "master-secret", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="})
  void a_weak_secret_key_is_refused_saying_why(String weak, Vertx vertx) throws Exception {
    Throwable failure = Await.failure(SecretBox.load(vertx, new JsonObject().put("data_dir", dataDir.toString())
        .put("secret_key", weak)));
    assertThat(failure.getMessage()).contains("PARLEY_SECRET_KEY").containsPattern("too (short|predictable)")
        .doesNotContain(weak.length() > 3 ? weak : "k: " + weak);
    assertThat(Files.exists(dataDir.resolve("secret.key"))).isFalse();
  }

  @Test
  void a_random_secret_key_a_passphrase_and_the_generated_key_file_work(Vertx vertx) throws Exception {
    for (String strong : new String[] {"q6Zy0Jd3B9fW2nVt8Lr4Xc1Hk7Ms5Pe0Ga3Ub6Yo9Ti=", TestApp.SECRET_KEY, null}) {
      JsonObject config = new JsonObject().put("data_dir", dataDir.toString()).put("secret_key", strong);
      SecretBox box = SecretBox.load(vertx, config).await(10, TimeUnit.SECONDS);
      assertThat(box.decrypt(box.encrypt("sk-live", "bot_1"), "bot_1")).isEqualTo("sk-live");
    }
  }

  @Test
  void a_webhook_with_a_weak_signing_secret_does_not_start(Vertx vertx) throws Exception {
    JsonObject config = new JsonObject().put("url", "http://127.0.0.1:9/hook").put("secret", "change-me");
    Throwable failure = Await.failure(vertx.deployVerticle(new WebhookVerticle(),
        new DeploymentOptions().setConfig(config)));
    assertThat(failure.getMessage()).contains("webhook 'secret'").contains("too short").doesNotContain("change-me");
  }
}
