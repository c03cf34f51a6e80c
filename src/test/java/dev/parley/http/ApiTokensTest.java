package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Operators;
import dev.parley.testing.Operators.SignedIn;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** API tokens: shown once, stored hashed, acting as their user, refused once revoked or expired. */
@ParleyTest
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ApiTokensTest {

  private static TestApp app;
  private static Operators people;

  @ParleyConfig
  static JsonObject config() {
    return Operators.manySignIns();
  }

  @BeforeAll
  static void people() {
    people = new Operators(app);
  }

  @Test
  void a_token_is_shown_once_stored_hashed_and_acts_as_its_user_without_csrf() throws Exception {
    SignedIn editor = people.person("editor", null);
    HttpResponse<Buffer> created = Await.result(people.as(editor, HttpMethod.POST, "/api/tokens")
        .sendJsonObject(new JsonObject().put("name", "deploy script").put("expires_in_days", 30)));
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject token = created.bodyAsJsonObject();
    String secret = token.getString("token");
    assertThat(secret).startsWith("pt_").hasSizeGreaterThan(40);
    assertThat(token.getLong("expires_at")).isBetween(System.currentTimeMillis() + 29L * 86_400_000,
        System.currentTimeMillis() + 31L * 86_400_000);

    HttpResponse<Buffer> listed = Await.result(people.as(editor, HttpMethod.GET, "/api/tokens").send());
    assertThat(listed.bodyAsString()).doesNotContain(secret).contains("deploy script").contains(token.getString("hint"));
    assertThat(Await.result(app.vertx.executeBlocking(app::storedText))).doesNotContain(secret);

    HttpResponse<Buffer> me = Await.result(people.bearer(secret, HttpMethod.GET, "/api/me").send());
    assertThat(me.bodyAsJsonObject().getString("kind")).isEqualTo("token");
    assertThat(me.bodyAsJsonObject().getString("user_id")).isEqualTo(editor.id());
    assertThat(me.bodyAsJsonObject().getString("token_id")).isEqualTo(token.getString("id"));
    assertThat(me.bodyAsJsonObject().containsKey("csrf_token")).isFalse();
    HttpResponse<Buffer> bot = Await.result(people.bearer(secret, HttpMethod.POST, "/api/bots")
        .sendJsonObject(new JsonObject().put("name", "made by a script")));
    assertThat(bot.statusCode()).isEqualTo(201);
  }

  @Test
  void a_revoked_token_is_refused_and_others_cannot_revoke_it() {
    SignedIn viewer = people.person("viewer", null);
    SignedIn other = people.person("viewer", null);
    String secret = people.token(viewer, "read-only");
    String id = Await.result(people.as(viewer, HttpMethod.GET, "/api/tokens").send()).bodyAsJsonObject()
        .getJsonArray("tokens").getJsonObject(0).getString("id");
    assertThat(Await.result(people.as(other, HttpMethod.DELETE, "/api/tokens/" + id).send()).statusCode()).isEqualTo(404);
    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/tokens/" + id).send()).statusCode()).isEqualTo(404);
    assertThat(Await.result(people.bearer(secret, HttpMethod.GET, "/api/bots").send()).statusCode()).isEqualTo(200);

    assertThat(Await.result(people.as(viewer, HttpMethod.DELETE, "/api/tokens/" + id).send()).statusCode()).isEqualTo(204);
    HttpResponse<Buffer> refused = Await.result(people.bearer(secret, HttpMethod.GET, "/api/bots").send());
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthorized");
  }

  @Test
  void an_expired_token_is_refused() throws Exception {
    SignedIn viewer = people.person("viewer", null);
    String secret = people.token(viewer, "short-lived");
    Await.result(app.vertx.executeBlocking(() -> {
      try (var connection = app.jdbc(); var statement = connection.prepareStatement(
          "UPDATE api_tokens SET expires_at = ? WHERE user_id = ?")) {
        statement.setLong(1, System.currentTimeMillis() - 1);
        statement.setString(2, viewer.id());
        return statement.executeUpdate();
      }
    }));
    assertThat(Await.result(people.bearer(secret, HttpMethod.GET, "/api/me").send()).statusCode()).isEqualTo(401);
  }

  @Test
  void made_up_tokens_are_401() {
    for (String made : new String[] {"pt_made-up", "pt_" + "A".repeat(43), "pt_"}) {
      assertThat(Await.result(people.bearer(made, HttpMethod.GET, "/api/me").send()).statusCode()).as(made).isEqualTo(401);
    }
  }

  @Test
  void token_fields_are_checked() {
    SignedIn viewer = people.person("viewer", null);
    for (JsonObject body : new JsonObject[] {new JsonObject(), new JsonObject().put("name", "x").put("expires_in_days", 0),
        new JsonObject().put("name", "x").put("expires_in_days", 1.5), new JsonObject().put("name", "x").put("expires_in_days", "7"),
        new JsonObject().put("name", "deploy\nscript")}) {
      HttpResponse<Buffer> refused = Await.result(people.as(viewer, HttpMethod.POST, "/api/tokens").sendJsonObject(body));
      assertThat(refused.statusCode()).as(body.encode()).isEqualTo(422);
    }
    assertThat(Await.result(people.as(viewer, HttpMethod.GET, "/api/tokens").send()).bodyAsJsonObject()
        .getJsonArray("tokens")).isEqualTo(new JsonArray());
  }

  @Test
  void the_bootstrap_token_has_no_tokens_of_its_own() {
    HttpResponse<Buffer> refused = Await.result(app.admin(HttpMethod.POST, "/api/tokens")
        .sendJsonObject(new JsonObject().put("name", "x")));
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(Await.result(app.admin(HttpMethod.GET, "/api/tokens").send()).bodyAsJsonObject().getJsonArray("tokens"))
        .isEmpty();
  }
}
