package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * URL ingestion from a site on loopback, which the operator allowed with {@code rag.allow_private_urls}; a page counts
 * toward the bot's bytes quota once it was fetched.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class UrlIngestionTest {

  static TestApp app;
  static HttpServer site;
  static final long MAX_BYTES = 1_000;
  static final String BIG_PAGE = "<html><head><title>Warranty</title></head><body><p>"
      + "The tent is covered for two years against defects in materials and workmanship. ".repeat(8) + "</p></body></html>";

  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(request -> {
      switch (request.path()) {
        case "/old":
          request.response().setStatusCode(301).putHeader("Location", "/guide").end();
          break;
        case "/guide":
          request.response().putHeader("Content-Type", "text/html; charset=utf-8").end("<html><head><title>Setup guide"
              + "</title></head><body><h1>Setup</h1><p>Hold the reset button for ten seconds to pair the sensor.</p>"
              + "</body></html>");
          break;
        case "/big":
          request.response().putHeader("Content-Type", "text/html; charset=utf-8").end(BIG_PAGE);
          break;
        default:
          request.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1").map(server -> {
      site = server;
      return new JsonObject().put("rag", new JsonObject().put("allow_private_urls", true)
          .put("allowed_url_ports", new JsonArray()).put("max_bytes_per_bot", MAX_BYTES));
    });
  }

  @Test
  void a_page_is_fetched_through_a_redirect_and_indexed(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents")
          .sendJsonObject(new JsonObject().put("url", "http://127.0.0.1:" + site.actualPort() + "/old"))
          .compose(response -> {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
            JsonObject doc = response.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0);
            assertThat(doc.getString("source")).isEqualTo("url");
            return Knowledge.settled(app, id, doc.getString("id"));
          })
          .compose(doc -> {
            assertThat(doc.getString("status")).as(doc.encode()).isEqualTo("ready");
            assertThat(doc.getString("name")).isEqualTo("Setup guide");
            assertThat(doc.getString("mime")).isEqualTo("text/html");
            return Knowledge.search(app, id, "how do I pair the sensor");
          })
          .compose(found -> {
            assertThat(found.getJsonObject(0).getString("snippet")).contains("reset button");
            return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents")
                .sendJsonObject(new JsonObject().put("url", "http://127.0.0.1:" + site.actualPort() + "/missing"));
          })
          .compose(response -> Knowledge.settled(app, id,
              response.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0).getString("id")))
          .map(missing -> {
            assertThat(missing.getString("status")).isEqualTo("failed");
            assertThat(missing.getString("error")).contains("404");
            return missing;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_page_that_would_pass_the_bots_bytes_quota_once_fetched_fails_and_is_not_counted(VertxTestContext test) {
    assertThat(BIG_PAGE.length()).isBetween((int) MAX_BYTES / 2 + 1, (int) MAX_BYTES);
    String big = "http://127.0.0.1:" + site.actualPort() + "/big";
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      return addUrl(id, big)
          .compose(first -> {
            assertThat(first.getString("status")).as(first.encode()).isEqualTo("ready");
            assertThat(first.getLong("size_bytes")).isEqualTo(BIG_PAGE.length());
            return addUrl(id, big);
          })
          .compose(second -> {
            assertThat(second.getString("status")).as(second.encode()).isEqualTo("failed");
            assertThat(second.getString("error")).contains("rag.max_bytes_per_bot");
            assertThat(second.getLong("size_bytes")).isNull();
            return app.admin(HttpMethod.GET, "/api/bots/" + id + "/documents").send();
          })
          .map(list -> {
            long bytes = 0;
            for (Object d : list.bodyAsJsonObject().getJsonArray("documents")) {
              Long size = ((JsonObject) d).getLong("size_bytes");
              bytes += size == null ? 0 : size;
            }
            assertThat(bytes).isEqualTo(BIG_PAGE.length());
            return list;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  private static Future<JsonObject> addUrl(String botId, String url) {
    return app.admin(HttpMethod.POST, "/api/bots/" + botId + "/documents").sendJsonObject(new JsonObject().put("url", url))
        .compose(response -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          return Knowledge.settled(app, botId,
              response.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0).getString("id"));
        });
  }
}
