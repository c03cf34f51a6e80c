package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ParleyTest
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class BotApiTest {

  private static final String CANARY_KEY = "sk-TESTCANARY-bot-api-4f9a8b7c6d5e";

  private static TestApp app;
  private static final List<String> seenBodies = new ArrayList<>();

  @AfterAll
  static void key_never_appeared_in_any_response() {
    assertThat(seenBodies).isNotEmpty();
    assertThat(String.join("\n", seenBodies)).doesNotContain(CANARY_KEY).doesNotContain("TESTCANARY");
  }

  private static Future<HttpResponse<Buffer>> send(HttpMethod method, String path, JsonObject body) {
    var request = app.admin(method, path);
    Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendJsonObject(body);
    return sent.onSuccess(r -> seenBodies.add(r.headers().toString() + r.bodyAsString()));
  }

  private static JsonObject fullBot() {
    return new JsonObject()
        .put("name", "Support bot")
        .put("provider", "openai")
        .put("model", "gpt-4o-mini")
        .put("api_key", CANARY_KEY)
        .put("prompt", "You are the support bot of Example Ltd.")
        .put("temperature", 0.2)
        .put("max_tokens", 300)
        .put("history_limit", 10)
        .put("rag", new JsonObject().put("enabled", false).put("top_k", 3).put("min_score", 0.5))
        .put("widget", new JsonObject().put("title", "Ask us").put("color", "#112233").put("position", "bottom-left")
            .put("greeting", "Hello!").put("avatar_url", "https://example.com/a.png")
            .put("starter_questions", new JsonArray().add("What are your hours?")))
        .put("allowed_origins", new JsonArray().add("https://Shop.Example.com"));
  }

  @Test
  void create_returns_201_with_the_bot_masked_key_and_deploy_codes(VertxTestContext test) {
    send(HttpMethod.POST, "/api/bots", fullBot()).map(response -> {
      assertThat(response.statusCode()).isEqualTo(201);
      JsonObject bot = response.bodyAsJsonObject();
      assertThat(bot.getString("id")).startsWith("bot_");
      assertThat(response.getHeader("Location")).isEqualTo("/api/bots/" + bot.getString("id"));
      assertThat(bot.getString("name")).isEqualTo("Support bot");
      assertThat(bot.getDouble("temperature")).isEqualTo(0.2);
      assertThat(bot.getJsonObject("rag").getInteger("top_k")).isEqualTo(3);
      assertThat(bot.getJsonObject("widget").getString("position")).isEqualTo("bottom-left");
      assertThat(bot.getJsonArray("allowed_origins")).containsExactly("https://shop.example.com");
      assertThat(bot.getBoolean("api_key_set")).isTrue();
      assertThat(bot.getString("api_key_hint")).isEqualTo("****6d5e");
      assertThat(bot.containsKey("api_key")).isFalse();
      assertThat(bot.containsKey("api_key_enc")).isFalse();
      JsonObject deploy = bot.getJsonObject("deploy");
      assertThat(deploy.getString("chat_url")).isEqualTo("http://127.0.0.1:" + app.port + "/chat/" + bot.getString("id"));
      assertThat(deploy.getString("embed_code")).isEqualTo("<script src=\"http://127.0.0.1:" + app.port
          + "/widget.js\" data-bot-id=\"" + bot.getString("id") + "\" async></script>");
      return bot;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void create_fills_defaults_for_fields_left_out(VertxTestContext test) {
    send(HttpMethod.POST, "/api/bots", new JsonObject().put("name", "Minimal")).map(response -> {
      assertThat(response.statusCode()).isEqualTo(201);
      JsonObject bot = response.bodyAsJsonObject();
      // TestApp pins bot.default_provider to openai; KnowledgeApiTest covers the extractive default
      assertThat(bot.getString("provider")).isEqualTo("openai");
      assertThat(bot.getString("model")).isEqualTo("gpt-4o-mini");
      assertThat(bot.getString("fallback_text")).isNotBlank();
      assertThat(bot.getInteger("history_limit")).isEqualTo(20);
      assertThat(bot.getInteger("max_message_chars")).isEqualTo(4000);
      assertThat(bot.getBoolean("api_key_set")).isFalse();
      assertThat(bot.getString("api_key_hint")).isNull();
      assertThat(bot.getJsonObject("widget").getString("color")).isEqualTo("#4f46e5");
      return bot;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_bot_with_a_key_but_no_provider_defaults_to_openai(VertxTestContext test) {
    send(HttpMethod.POST, "/api/bots", new JsonObject().put("name", "Keyed").put("api_key", "sk-test-keyed-0123"))
        .map(response -> {
          assertThat(response.statusCode()).isEqualTo(201);
          assertThat(response.bodyAsJsonObject().getString("provider")).isEqualTo("openai");
          assertThat(response.bodyAsJsonObject().getString("model")).isEqualTo("gpt-4o-mini");
          return response;
        }).onComplete(test.succeedingThenComplete());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{}                                                  | name",
      "{\"name\": \"\"}                                    | name",
      "{\"name\": 42}                                      | name",
      "{\"name\": \"b\", \"provider\": \"Open AI\"}        | provider",
      "{\"name\": \"b\", \"model\": 7}                     | model",
      "{\"name\": \"b\", \"base_url\": \"ftp://x\"}        | base_url",
      "{\"name\": \"b\", \"api_key\": [\"x\"]}             | api_key",
      "{\"name\": \"b\", \"api_key\": \"has space\"}       | api_key",
      "{\"name\": \"b\", \"prompt\": false}                | prompt",
      "{\"name\": \"b\", \"temperature\": 3}               | temperature",
      "{\"name\": \"b\", \"temperature\": \"hot\"}         | temperature",
      "{\"name\": \"b\", \"max_tokens\": 0}                | max_tokens",
      "{\"name\": \"b\", \"max_tokens\": 1.5}              | max_tokens",
      "{\"name\": \"b\", \"history_limit\": -1}            | history_limit",
      "{\"name\": \"b\", \"max_message_chars\": 0}         | max_message_chars",
      "{\"name\": \"b\", \"rag\": {\"top_k\": 0}}          | rag.top_k",
      "{\"name\": \"b\", \"rag\": {\"enabled\": \"yes\"}}  | rag.enabled",
      "{\"name\": \"b\", \"rag\": {\"min_score\": 2}}      | rag.min_score",
      "{\"name\": \"b\", \"rag\": {\"nope\": 1}}           | rag.nope",
      "{\"name\": \"b\", \"rag\": 5}                       | rag",
      "{\"name\": \"b\", \"widget\": {\"color\": \"red\"}} | widget.color",
      "{\"name\": \"b\", \"widget\": {\"color\": \"</style><script>\"}} | widget.color",
      "{\"name\": \"b\", \"widget\": {\"position\": \"top\"}} | widget.position",
      "{\"name\": \"b\", \"widget\": {\"avatar_url\": \"javascript:alert(1)\"}} | widget.avatar_url",
      "{\"name\": \"b\", \"widget\": {\"starter_questions\": [1]}} | widget.starter_questions",
      "{\"name\": \"b\", \"allowed_origins\": [\"https://x.com/path\"]} | allowed_origins",
      "{\"name\": \"b\", \"allowed_origins\": \"https://x.com\"} | allowed_origins",
      "{\"name\": \"b\", \"colour\": \"#000000\"}          | colour",
      "{\"name\": \"Help\\r\\ndesk\"}                     | name",
      "{\"name\": \"\\u202eksed pleh\"}                    | name"})
  void create_rejects_an_invalid_field_with_422_naming_it(String body, String field, VertxTestContext test) {
    send(HttpMethod.POST, "/api/bots", new JsonObject(body)).map(response -> {
      assertThat(response.statusCode()).isEqualTo(422);
      assertThat(response.getHeader("Content-Type")).startsWith("application/json");
      JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("validation_failed");
      assertThat(error.getString("field")).isEqualTo(field);
      assertThat(error.getString("message")).isNotBlank();
      return error;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void malformed_json_is_a_400_and_wrong_content_type_a_415(VertxTestContext test) {
    Future<HttpResponse<Buffer>> malformed = app.admin(HttpMethod.POST, "/api/bots")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"name\": "));
    Future<HttpResponse<Buffer>> array = app.admin(HttpMethod.POST, "/api/bots")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("[1,2]"));
    Future<HttpResponse<Buffer>> badUtf8 = app.admin(HttpMethod.POST, "/api/bots")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}));
    Future<HttpResponse<Buffer>> form = app.admin(HttpMethod.POST, "/api/bots")
        .putHeader("Content-Type", "application/x-www-form-urlencoded").sendBuffer(Buffer.buffer("name=x"));
    Future.all(malformed, array, badUtf8, form).map(done -> {
      assertThat(malformed.result().statusCode()).isEqualTo(400);
      assertThat(malformed.result().bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_json");
      assertThat(array.result().statusCode()).isEqualTo(400);
      assertThat(badUtf8.result().statusCode()).isEqualTo(400);
      assertThat(form.result().statusCode()).isEqualTo(415);
      assertThat(form.result().bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unsupported_media_type");
      return done;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void list_and_get_show_the_bot_without_key_material(VertxTestContext test) {
    send(HttpMethod.POST, "/api/bots", fullBot().put("name", "Listed")).compose(created -> {
      String id = created.bodyAsJsonObject().getString("id");
      return Future.all(send(HttpMethod.GET, "/api/bots", null), send(HttpMethod.GET, "/api/bots/" + id, null)).map(both -> {
        HttpResponse<Buffer> list = both.resultAt(0);
        HttpResponse<Buffer> one = both.resultAt(1);
        assertThat(list.statusCode()).isEqualTo(200);
        JsonArray bots = list.bodyAsJsonObject().getJsonArray("bots");
        assertThat(bots.stream().map(b -> ((JsonObject) b).getString("id"))).contains(id);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.bodyAsJsonObject().getString("name")).isEqualTo("Listed");
        assertThat(one.bodyAsJsonObject().getBoolean("api_key_set")).isTrue();
        assertThat(one.bodyAsString()).doesNotContain(CANARY_KEY).doesNotContain("api_key_enc");
        return id;
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void unknown_or_malformed_bot_ids_are_404(VertxTestContext test) {
    Future.all(
        send(HttpMethod.GET, "/api/bots/bot_doesnotexist", null),
        send(HttpMethod.PUT, "/api/bots/bot_doesnotexist", new JsonObject().put("name", "x")),
        send(HttpMethod.DELETE, "/api/bots/bot_doesnotexist", null),
        send(HttpMethod.GET, "/api/bots/..%2F..%2Fetc", null),
        send(HttpMethod.GET, "/api/bots/bot_doesnotexist/conversations", null),
        send(HttpMethod.GET, "/api/bots/bot_doesnotexist/stats", null)).map(all -> {
          for (int i = 0; i < all.size(); i++) {
            HttpResponse<Buffer> response = all.resultAt(i);
            assertThat(response.statusCode()).as("request %d", i).isEqualTo(404);
            assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
          }
          return all;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void update_changes_only_the_fields_given(VertxTestContext test) {
    send(HttpMethod.POST, "/api/bots", fullBot()).compose(created -> {
      JsonObject before = created.bodyAsJsonObject();
      String id = before.getString("id");
      JsonObject patch = new JsonObject().put("prompt", "New prompt")
          .put("widget", new JsonObject().put("color", "#abcdef"))
          .put("id", "bot_hijack").put("api_key_set", false).put("created_at", 1);
      return send(HttpMethod.PUT, "/api/bots/" + id, patch).compose(updated -> {
        assertThat(updated.statusCode()).isEqualTo(200);
        JsonObject after = updated.bodyAsJsonObject();
        assertThat(after.getString("id")).isEqualTo(id);
        assertThat(after.getString("prompt")).isEqualTo("New prompt");
        assertThat(after.getJsonObject("widget").getString("color")).isEqualTo("#abcdef");
        assertThat(after.getJsonObject("widget").getString("title")).isEqualTo("Ask us");
        assertThat(after.getString("name")).isEqualTo(before.getString("name"));
        assertThat(after.getDouble("temperature")).isEqualTo(0.2);
        assertThat(after.getBoolean("api_key_set")).isTrue();
        assertThat(after.getString("api_key_hint")).isEqualTo(before.getString("api_key_hint"));
        assertThat(after.getLong("created_at")).isEqualTo(before.getLong("created_at"));
        assertThat(after.getLong("updated_at")).isGreaterThan(before.getLong("updated_at"));
        return send(HttpMethod.GET, "/api/bots/" + id, null);
      }).map(reread -> {
        assertThat(reread.bodyAsJsonObject().getString("prompt")).isEqualTo("New prompt");
        return reread;
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void update_replaces_or_clears_the_key_and_validates(VertxTestContext test) {
    send(HttpMethod.POST, "/api/bots", fullBot()).compose(created -> {
      String id = created.bodyAsJsonObject().getString("id");
      return send(HttpMethod.PUT, "/api/bots/" + id, new JsonObject().put("api_key", "sk-TESTCANARY-rotated-key-9999"))
          .compose(rotated -> {
            assertThat(rotated.bodyAsJsonObject().getString("api_key_hint")).isEqualTo("****9999");
            return send(HttpMethod.PUT, "/api/bots/" + id, new JsonObject().put("api_key", (String) null));
          })
          .compose(cleared -> {
            assertThat(cleared.bodyAsJsonObject().getBoolean("api_key_set")).isFalse();
            assertThat(cleared.bodyAsJsonObject().getString("api_key_hint")).isNull();
            return send(HttpMethod.PUT, "/api/bots/" + id, new JsonObject().put("temperature", -1));
          })
          .map(invalid -> {
            assertThat(invalid.statusCode()).isEqualTo(422);
            assertThat(invalid.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("temperature");
            return invalid;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void delete_answers_204_and_the_bot_is_gone(VertxTestContext test) {
    send(HttpMethod.POST, "/api/bots", fullBot()).compose(created -> {
      String id = created.bodyAsJsonObject().getString("id");
      return send(HttpMethod.DELETE, "/api/bots/" + id, null).compose(deleted -> {
        assertThat(deleted.statusCode()).isEqualTo(204);
        return Future.all(send(HttpMethod.GET, "/api/bots/" + id, null), send(HttpMethod.DELETE, "/api/bots/" + id, null));
      }).map(after -> {
        assertThat(((HttpResponse<?>) after.resultAt(0)).statusCode()).isEqualTo(404);
        assertThat(((HttpResponse<?>) after.resultAt(1)).statusCode()).isEqualTo(404);
        return after;
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void admin_routes_need_the_bearer_token(VertxTestContext test) {
    Future<HttpResponse<Buffer>> none = app.client.get("/api/bots").send();
    Future<HttpResponse<Buffer>> wrong = app.client.get("/api/bots").putHeader("Authorization", "Bearer nope").send();
    Future<HttpResponse<Buffer>> query = app.client.get("/api/bots?token=" + TestApp.ADMIN_TOKEN).send();
    Future<HttpResponse<Buffer>> basic = app.client.get("/api/bots").putHeader("Authorization", "Basic "
        + java.util.Base64.getEncoder().encodeToString(("admin:" + TestApp.ADMIN_TOKEN).getBytes())).send();
    Future<HttpResponse<Buffer>> create = app.client.post("/api/bots").sendJsonObject(fullBot());
    Future<HttpResponse<Buffer>> upper = app.client.get("/API/BOTS").send();
    Future.all(List.of(none, wrong, query, basic, create, upper)).map(all -> {
      for (Future<HttpResponse<Buffer>> f : List.of(none, wrong, query, basic, create)) {
        assertThat(f.result().statusCode()).isEqualTo(401);
        assertThat(f.result().getHeader("WWW-Authenticate")).startsWith("Bearer");
        assertThat(f.result().bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthorized");
      }
      assertThat(upper.result().statusCode()).isIn(401, 404);
      return all;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void the_key_is_stored_encrypted_not_in_plain_text(VertxTestContext test) {
    send(HttpMethod.POST, "/api/bots", fullBot()).compose(created -> app.vertx.executeBlocking(() -> {
      String all = app.storedText();
      assertThat(all).doesNotContain(CANARY_KEY);
      assertThat(all).contains("v1:");
      return null;
    })).onComplete(test.succeedingThenComplete());
  }
}
