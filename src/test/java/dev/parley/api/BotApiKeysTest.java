package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.BotKeys;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A bot's API keys: shown once, stored hashed, listed without the key, revoked at once, managed by editors and up. */
@ParleyTest
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class BotApiKeysTest {

  private static TestApp app;
  private static Operators people;
  private static BotKeys keys;

  @ParleyConfig
  static JsonObject config() {
    return Operators.manySignIns();
  }

  @BeforeAll
  static void people() {
    people = new Operators(app);
    keys = new BotKeys(app);
  }

  private static String bot() {
    return Await.result(app.createBot(new JsonObject().put("name", "Keyed"))).getString("id");
  }

  @Test
  void a_key_is_shown_once_stored_hashed_listed_without_it_and_revoked_at_once() throws Exception {
    String botId = bot();
    JsonObject created = keys.create(botId, "shop backend");
    String key = created.getString("key");
    assertThat(key).startsWith("pk_").hasSizeGreaterThan(40);
    assertThat(created.getString("bot_id")).isEqualTo(botId);

    HttpResponse<Buffer> listed = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/api-keys").send());
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.bodyAsString()).doesNotContain(key).contains("shop backend").contains(created.getString("hint"));
    assertThat(Await.result(app.vertx.executeBlocking(app::storedText))).doesNotContain(key);
    assertThat(Await.result(keys.with(key, HttpMethod.GET, "/v1/models").send()).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> revoked = Await.result(app.admin(HttpMethod.DELETE,
        "/api/bots/" + botId + "/api-keys/" + created.getString("id")).send());
    assertThat(revoked.statusCode()).isEqualTo(204);
    assertThat(Await.result(keys.with(key, HttpMethod.GET, "/v1/models").send()).statusCode()).isEqualTo(401);
    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/bots/" + botId + "/api-keys/" + created.getString("id"))
        .send()).statusCode()).isEqualTo(404);
  }

  @Test
  void a_key_is_revoked_only_through_its_own_bot_and_goes_with_the_bot() {
    String botId = bot();
    String other = bot();
    JsonObject created = keys.create(botId, "one");
    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/bots/" + other + "/api-keys/" + created.getString("id"))
        .send()).statusCode()).isEqualTo(404);
    assertThat(Await.result(keys.with(created.getString("key"), HttpMethod.GET, "/v1/models").send()).statusCode())
        .isEqualTo(200);

    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/bots/" + botId).send()).statusCode()).isEqualTo(204);
    assertThat(Await.result(keys.with(created.getString("key"), HttpMethod.GET, "/v1/models").send()).statusCode())
        .isEqualTo(401);
  }

  @Test
  void key_names_are_checked_and_unknown_bots_are_404() {
    String botId = bot();
    for (JsonObject body : List.of(new JsonObject(), new JsonObject().put("name", " "),
        new JsonObject().put("name", "x".repeat(101)), new JsonObject().put("name", 7),
        new JsonObject().put("name", "site\r\nkey"))) {
      HttpResponse<Buffer> refused = Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/api-keys")
          .sendJsonObject(body));
      assertThat(refused.statusCode()).as(body.encode()).isEqualTo(422);
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("name");
    }
    assertThat(Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/api-keys").send()).bodyAsJsonObject()
        .getJsonArray("keys")).isEqualTo(new JsonArray());
    assertThat(Await.result(app.admin(HttpMethod.POST, "/api/bots/bot_missingmissingmissin/api-keys")
        .sendJsonObject(new JsonObject().put("name", "x"))).statusCode()).isEqualTo(404);
  }

  @Test
  void keys_are_for_editors_and_up_of_the_bot() {
    String botId = bot();
    String path = "/api/bots/" + botId + "/api-keys";
    assertThat(Await.result(app.client.get(path).send()).statusCode()).isEqualTo(401);
    SignedIn viewer = people.person("viewer", null);
    assertThat(Await.result(people.as(viewer, HttpMethod.GET, path).send()).statusCode()).isEqualTo(403);
    assertThat(Await.result(people.as(viewer, HttpMethod.POST, path).sendJsonObject(new JsonObject().put("name", "x")))
        .statusCode()).isEqualTo(403);
    SignedIn elsewhere = people.person("editor", new JsonArray().add(bot()));
    assertThat(Await.result(people.as(elsewhere, HttpMethod.POST, path).sendJsonObject(new JsonObject().put("name", "x")))
        .statusCode()).isEqualTo(404);
    SignedIn editor = people.person("editor", new JsonArray().add(botId));
    HttpResponse<Buffer> made = Await.result(people.as(editor, HttpMethod.POST, path)
        .sendJsonObject(new JsonObject().put("name", "editor's")));
    assertThat(made.statusCode()).isEqualTo(201);
    assertThat(Await.result(people.as(editor, HttpMethod.GET, path).send()).bodyAsJsonObject().getJsonArray("keys"))
        .hasSize(1);
  }

  @Test
  void making_and_revoking_a_key_is_audited_without_the_key() throws InterruptedException {
    String botId = bot();
    JsonObject created = keys.create(botId, "audited");
    Await.result(app.admin(HttpMethod.DELETE, "/api/bots/" + botId + "/api-keys/" + created.getString("id")).send());
    String log = audit();
    for (int i = 0; i < 100 && !log.contains("api_key.delete"); i++) {
      Thread.sleep(50);
      log = audit();
    }
    assertThat(log).contains("api_key.create").contains(created.getString("id")).doesNotContain(created.getString("key"));
  }

  private static String audit() {
    return Await.result(app.admin(HttpMethod.GET, "/api/audit?limit=200").send()).bodyAsString();
  }
}
