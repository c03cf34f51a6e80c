package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.testing.TestApps;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Accounts stored before internationalised domains were compared in their ASCII form get their e-mail key brought to
 * the current rule when the account component starts, so the ASCII form of their address is refused as a second account.
 */
@ParleyTest(perTest = true)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class EmailKeysRestartTest {

  @Test
  void a_key_stored_under_the_old_rule_is_rekeyed_at_start(TestApps apps) throws Exception {
    TestApp first = Await.result(apps.start());
    HttpResponse<Buffer> made = Await.result(first.admin(HttpMethod.POST, "/api/users").sendJsonObject(new JsonObject()
        .put("email", "ana@Bücher.de").put("name", "Ana").put("role", "viewer")));
    assertThat(made.statusCode()).as(made.bodyAsString()).isEqualTo(201);
    // as the rule before stored it: the address in lower case, its domain not in ASCII
    try (Connection db = first.jdbc(); Statement update = db.createStatement()) {
      assertThat(update.executeUpdate("UPDATE users SET email_key = 'ana@bücher.de' WHERE email = 'ana@Bücher.de'"))
          .isEqualTo(1);
    }
    Await.result(first.stop());

    TestApp second = Await.result(apps.start());
    HttpResponse<Buffer> twin = Await.result(second.admin(HttpMethod.POST, "/api/users").sendJsonObject(new JsonObject()
        .put("email", "ana@xn--bcher-kva.de").put("name", "Ana again").put("role", "viewer")));

    assertThat(twin.statusCode()).as(twin.bodyAsString()).isEqualTo(409);
    assertThat(second.count("SELECT COUNT(*) FROM users WHERE email_key = 'ana@xn--bcher-kva.de'")).isEqualTo(1);
  }
}
