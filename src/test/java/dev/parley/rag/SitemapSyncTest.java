package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sitemaps and URL re-sync against a site on loopback ({@code rag.allow_private_urls} on): pages
 * become child documents, a sync re-embeds only changed pages, adds new ones and drops unlisted
 * ones, and a bot's {@code rag.sync_interval_hours} syncs on a schedule.
 */
@ParleyTest
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class SitemapSyncTest {

  static TestApp app;
  static HttpServer site;
  static final Map<String, String> pages = new ConcurrentHashMap<>();

  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(request -> {
      String body = pages.get(request.path());
      if (body == null) {
        request.response().setStatusCode(404).end();
      } else {
        request.response().putHeader("Content-Type", request.path().endsWith(".xml")
            ? "application/xml" : "text/html; charset=utf-8").end(body);
      }
    }).listen(0, "127.0.0.1").map(server -> {
      site = server;
      return new JsonObject().put("rag", new JsonObject()
          .put("allow_private_urls", true).put("allowed_url_ports", new JsonArray()).put("sync_check_ms", 200).put("max_sitemap_pages", 3));
    });
  }

  static String url(String path) {
    return "http://127.0.0.1:" + site.actualPort() + path;
  }

  static String html(String title, String text) {
    return "<html><head><title>" + title + "</title></head><body><h1>" + title + "</h1><p>" + text + "</p></body></html>";
  }

  static String urlset(String... paths) {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">");
    for (String p : paths) {
      xml.append("<url><loc>").append(url(p)).append("</loc></url>");
    }
    return xml.append("</urlset>").toString();
  }

  static Future<JsonArray> searchUntil(String botId, String query, String expected, int attempt) {
    return Knowledge.search(app, botId, query).compose(found -> {
      if (found.encode().contains(expected) || attempt > 200) {
        return Future.succeededFuture(found);
      }
      Promise<Void> later = Promise.promise();
      app.vertx.setTimer(100, t -> later.complete());
      return later.future().compose(v -> searchUntil(botId, query, expected, attempt + 1));
    });
  }

  static JsonObject byUrl(JsonArray docs, String path) {
    return docs.stream().map(JsonObject.class::cast).filter(d -> url(path).equals(d.getString("url")))
        .findFirst().orElse(null);
  }

  @Test
  void a_sitemap_adds_its_pages_and_a_sync_re_embeds_only_what_changed(VertxTestContext test) {
    pages.put("/a", html("Alpha", "The alpha sensor pairs when you hold its button for ten seconds."));
    pages.put("/b", html("Bravo", "The bravo hub runs on two AA batteries for a year."));
    pages.put("/sitemap.xml", urlset("/a", "/b", "/missing"));
    Map<String, JsonObject> before = new ConcurrentHashMap<>();
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents")
          .sendJsonObject(new JsonObject().put("url", url("/sitemap.xml")))
          .compose(response -> {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
            return Knowledge.until(app, id, docs -> Knowledge.settled(docs, 4));
          })
          .compose(docs -> {
            JsonObject map = byUrl(docs, "/sitemap.xml");
            assertThat(map.getString("source")).isEqualTo("sitemap");
            assertThat(map.getString("status")).isEqualTo("ready");
            JsonObject a = byUrl(docs, "/a");
            assertThat(a.getString("parent_id")).isEqualTo(map.getString("id"));
            assertThat(a.getString("status")).isEqualTo("ready");
            assertThat(a.getString("name")).isEqualTo("Alpha");
            assertThat(a.getLong("synced_at")).isNotNull();
            assertThat(byUrl(docs, "/missing").getString("error")).contains("404");
            before.put("a", a);
            before.put("b", byUrl(docs, "/b"));
            before.put("map", map);
            return Knowledge.search(app, id, "how do I pair the alpha sensor");
          })
          .compose(found -> {
            assertThat(found.getJsonObject(0).getString("document_name")).isEqualTo("Alpha");
            // the site changes: /a is rewritten, /b is not, /c appears, /missing leaves the sitemap
            pages.put("/a", html("Alpha", "The alpha sensor now pairs through the mobile app only."));
            pages.put("/c", html("Charlie", "The charlie camera records in full HD at night."));
            pages.put("/sitemap.xml", urlset("/a", "/b", "/c", "/d", "/e"));
            return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents/" + before.get("map").getString("id")
                + "/sync").send();
          })
          .compose(response -> {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
            return Knowledge.until(app, id, docs -> Knowledge.settled(docs, 4) && byUrl(docs, "/c") != null
                && "ready".equals(byUrl(docs, "/c").getString("status"))
                && byUrl(docs, "/b").getLong("synced_at") > before.get("b").getLong("synced_at")
                && !before.get("a").getString("content_hash").equals(byUrl(docs, "/a").getString("content_hash")));
          })
          .compose(docs -> {
            assertThat(byUrl(docs, "/missing")).as("no longer listed").isNull();
            assertThat(byUrl(docs, "/d")).as("past rag.max_sitemap_pages").isNull();
            JsonObject b = byUrl(docs, "/b");
            assertThat(b.getLong("updated_at")).as("unchanged page not re-embedded").isEqualTo(before.get("b").getLong("updated_at"));
            assertThat(b.getString("content_hash")).isEqualTo(before.get("b").getString("content_hash"));
            assertThat(byUrl(docs, "/a").getLong("updated_at")).isGreaterThan(before.get("a").getLong("updated_at"));
            return Knowledge.search(app, id, "pair the alpha sensor with the mobile app");
          })
          .compose(found -> {
            assertThat(found.getJsonObject(0).getString("snippet")).contains("mobile app");
            assertThat(found.encode()).doesNotContain("ten seconds");
            return app.admin(HttpMethod.DELETE, "/api/bots/" + id + "/documents/" + before.get("map").getString("id"))
                .send();
          })
          .compose(deleted -> {
            assertThat(deleted.statusCode()).isEqualTo(204);
            return Future.all(Knowledge.documents(app, id), Knowledge.search(app, id, "charlie camera"));
          })
          .map(after -> {
            assertThat((JsonArray) after.resultAt(0)).as("pages go with their sitemap").isEmpty();
            assertThat((JsonArray) after.resultAt(1)).isEmpty();
            return after;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void sync_is_refused_for_uploads_and_a_bot_schedule_syncs_its_urls(VertxTestContext test) {
    pages.put("/news", html("News", "The spring sale starts on Monday."));
    Knowledge.bot(app, new JsonObject().put("rag", new JsonObject().put("sync_interval_hours", -1)))
        .<JsonObject>transform(negative -> {
          assertThat(negative.failed()).as("a negative interval is refused").isTrue();
          return Knowledge.bot(app, new JsonObject());
        })
        .compose(bot -> {
          String id = bot.getString("id");
          assertThat(bot.getJsonObject("rag").getDouble("sync_interval_hours")).isEqualTo(0.0);
          return Knowledge.addText(app, id, "Notes", "Plain text notes.")
              .compose(doc -> app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents/" + doc.getString("id")
                  + "/sync").send())
              .compose(conflict -> {
                assertThat(conflict.statusCode()).isEqualTo(409);
                assertThat(conflict.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_syncable");
                return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents")
                    .sendJsonObject(new JsonObject().put("url", url("/news")));
              })
              .compose(added -> Knowledge.until(app, id, docs -> byUrl(docs, "/news") != null
                  && "ready".equals(byUrl(docs, "/news").getString("status"))))
              .compose(docs -> {
                pages.put("/news", html("News", "The summer sale starts on Friday."));
                // about 0.7 s: the schedule notices the change without being asked
                return app.admin(HttpMethod.PUT, "/api/bots/" + id)
                    .sendJsonObject(new JsonObject().put("rag", new JsonObject().put("sync_interval_hours", 0.0002)));
              })
              .compose(updated -> {
                assertThat(updated.statusCode()).as(updated.bodyAsString()).isEqualTo(200);
                return searchUntil(id, "when does the summer sale start", "summer", 0);
              })
              .map(found -> {
                assertThat(found.getJsonObject(0).getString("snippet")).contains("summer sale");
                return found;
              });
        }).onComplete(test.succeedingThenComplete());
  }
}
