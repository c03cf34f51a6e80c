package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Addresses an operator saves are written the way browsers write them, so later comparisons hold
 * (issue 11, item 16): {@code allowed_origins} against the visitor's {@code Origin}, {@code avatar_url}
 * in the chat page's policy, {@code base_url} when Parley joins paths to it.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AllowedOriginsTest {

  private static TestApp app;

  private static Future<JsonObject> bot(JsonObject fields) {
    return app.createBot(new JsonObject().put("name", "Origins").put("api_key", "sk-test-origins").mergeIn(fields));
  }

  private static Future<HttpResponse<Buffer>> chatFrom(String botId, String origin) {
    return app.client.post("/api/chat/" + botId).putHeader("Origin", origin)
        .sendJsonObject(new JsonObject().put("message", "hi"));
  }

  @Test
  void origins_are_saved_as_browsers_send_them_and_let_those_browsers_in(VertxTestContext test) {
    JsonArray typed = new JsonArray().add("https://Shop.Example:443/").add("HTTPS://bücher.example")
        .add("http://[0:0:0:0:0:0:0:1]:8080").add("https://shop.example");
    bot(new JsonObject().put("allowed_origins", typed)).compose(bot -> {
      assertThat(bot.getJsonArray("allowed_origins"))
          .containsExactly("https://shop.example", "https://xn--bcher-kva.example", "http://[::1]:8080");
      String id = bot.getString("id");
      Future<HttpResponse<Buffer>> shop = chatFrom(id, "https://shop.example");
      Future<HttpResponse<Buffer>> idn = chatFrom(id, "https://xn--bcher-kva.example");
      Future<HttpResponse<Buffer>> ipv6 = chatFrom(id, "http://[::1]:8080");
      Future<HttpResponse<Buffer>> otherPort = chatFrom(id, "https://shop.example:8443");
      return Future.all(List.of(shop, idn, ipv6, otherPort)).map(all -> {
        for (Future<HttpResponse<Buffer>> allowed : List.of(shop, idn, ipv6)) {
          assertThat(allowed.result().statusCode()).as(allowed.result().bodyAsString()).isEqualTo(200);
        }
        assertThat(shop.result().getHeader("Access-Control-Allow-Origin")).isEqualTo("https://shop.example");
        assertThat(otherPort.result().statusCode()).isEqualTo(403);
        return all;
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void what_is_not_an_origin_is_422_naming_the_field_and_the_entry(VertxTestContext test) {
    List<String> refused = List.of("https://shop.example/shop", "https://shop.example?ref=1", "https://shop.example#x",
        "https://admin@shop.example", "*", "http://0x7f.1");
    List<Future<HttpResponse<Buffer>>> answers = refused.stream().map(entry -> app.admin(HttpMethod.POST, "/api/bots")
        .sendJsonObject(new JsonObject().put("name", "Refused")
            .put("allowed_origins", new JsonArray().add("https://fine.example").add(entry)))).toList();
    Future.all(answers).onComplete(test.succeeding(all -> test.verify(() -> {
      for (int i = 0; i < refused.size(); i++) {
        HttpResponse<Buffer> response = answers.get(i).result();
        assertThat(response.statusCode()).as(refused.get(i)).isEqualTo(422);
        JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("validation_failed");
        assertThat(error.getString("field")).isEqualTo("allowed_origins");
        assertThat(error.getString("message")).contains(refused.get(i).equals("*") ? "empty" : refused.get(i));
      }
      test.completeNow();
    })));
  }

  @Test
  void an_entry_stored_before_origins_were_normalised_still_matches(Vertx vertx, VertxTestContext test) {
    bot(new JsonObject()).compose(bot -> vertx.executeBlocking(() -> {
      String id = bot.getString("id");
      try (Connection db = app.jdbc()) {
        String config;
        try (PreparedStatement read = db.prepareStatement("SELECT config FROM bots WHERE id = ?")) {
          read.setString(1, id);
          try (ResultSet row = read.executeQuery()) {
            row.next();
            config = row.getString(1);
          }
        }
        JsonObject legacy = new JsonObject(config).put("allowed_origins", new JsonArray().add("https://Legacy.Example:443"));
        try (PreparedStatement write = db.prepareStatement("UPDATE bots SET config = ? WHERE id = ?")) {
          write.setString(1, legacy.encode());
          write.setString(2, id);
          write.executeUpdate();
        }
      }
      return id;
    })).compose(id -> Future.all(chatFrom(id, "https://legacy.example"), chatFrom(id, "https://elsewhere.example")))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          HttpResponse<Buffer> legacy = all.resultAt(0);
          HttpResponse<Buffer> elsewhere = all.resultAt(1);
          assertThat(legacy.statusCode()).as(legacy.bodyAsString()).isEqualTo(200);
          assertThat(elsewhere.statusCode()).as("the stored list applies").isEqualTo(403);
          test.completeNow();
        })));
  }

  @Test
  void avatar_and_base_urls_are_saved_with_a_browsers_scheme_and_host(VertxTestContext test) {
    JsonObject fields = new JsonObject().put("base_url", "HTTPS://Models.Example:443/v1/")
        .put("widget", new JsonObject().put("avatar_url", "https://Bücher.Example/img/Face.png"));
    bot(fields).compose(bot -> {
      assertThat(bot.getString("base_url")).isEqualTo("https://models.example/v1");
      assertThat(bot.getJsonObject("widget").getString("avatar_url")).isEqualTo("https://xn--bcher-kva.example/img/Face.png");
      return app.client.get("/chat/" + bot.getString("id")).send();
    }).onComplete(test.succeeding(page -> test.verify(() -> {
      assertThat(page.getHeader("Content-Security-Policy")).contains("img-src 'self' data: https://xn--bcher-kva.example;");
      test.completeNow();
    })));
  }
}
