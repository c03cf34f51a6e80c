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
 * ones, a bot's {@code rag.sync_interval_hours} syncs on a schedule, and new pages are added only as far as the
 * bot's document quota leaves room.
 */
@ParleyTest
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class SitemapSyncTest {

  static TestApp app;
  static HttpServer site;
  static final Map<String, String> pages = new ConcurrentHashMap<>();
  static final int MAX_DOCUMENTS = 5;

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
          .put("allow_private_urls", true).put("allowed_url_ports", new JsonArray()).put("sync_check_ms", 200).put("max_sitemap_pages", 3)
          .put("max_documents_per_bot", MAX_DOCUMENTS));
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
            assertThat(docs.stream().map(JsonObject.class::cast)
                .filter(d -> map.getString("id").equals(d.getString("parent_id"))).map(d -> d.getString("url")))
                .as("the pages listed in the sitemap's order").containsExactly(url("/a"), url("/b"), url("/missing"));
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

  @Test
  void a_sitemap_adds_only_the_pages_its_bot_has_room_for_and_says_why_the_rest_are_missing(VertxTestContext test) {
    pages.put("/q1", html("Warranty", "Every tent has a two-year warranty."));
    pages.put("/q2", html("Repairs", "Send a torn tent to the repair centre."));
    pages.put("/q3", html("Returns", "Return an unused tent within thirty days."));
    pages.put("/quota.xml", urlset("/q1", "/q2", "/q3"));
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      // two documents and the sitemap leave room for two of its three pages
      return Knowledge.addText(app, id, "Hours", "Open nine to five.")
          .compose(first -> Knowledge.addText(app, id, "Shipping", "Orders ship in two days."))
          .compose(second -> app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents")
              .sendJsonObject(new JsonObject().put("url", url("/quota.xml"))))
          .compose(added -> {
            assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(202);
            return Knowledge.until(app, id, docs -> Knowledge.settled(docs, MAX_DOCUMENTS)
                && "failed".equals(byUrl(docs, "/quota.xml").getString("status")));
          })
          .compose(docs -> {
            assertThat(docs).hasSize(MAX_DOCUMENTS);
            JsonObject sitemap = byUrl(docs, "/quota.xml");
            assertThat(sitemap.getString("source")).isEqualTo("sitemap");
            assertThat(sitemap.getString("error")).isEqualTo("Only 2 of the sitemap's 3 new pages "
                + "were added: the bot has no room for more documents (rag.max_documents_per_bot, "
                + "rag.max_bytes_per_bot); delete some and sync the sitemap again");
            assertThat(byUrl(docs, "/q1").getString("status")).isEqualTo("ready");
            assertThat(byUrl(docs, "/q2").getString("status")).isEqualTo("ready");
            assertThat(byUrl(docs, "/q3")).as("the page past the quota").isNull();
            // room made: the next sync adds the page left out
            String hours = docs.stream().map(JsonObject.class::cast).filter(d -> "Hours".equals(d.getString("name")))
                .findFirst().orElseThrow().getString("id");
            return app.admin(HttpMethod.DELETE, "/api/bots/" + id + "/documents/" + hours).send()
                .compose(deleted -> app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents/" + sitemap.getString("id")
                    + "/sync").send())
                .compose(synced -> {
                  assertThat(synced.statusCode()).as(synced.bodyAsString()).isEqualTo(202);
                  return Knowledge.until(app, id, after -> Knowledge.settled(after, MAX_DOCUMENTS)
                      && byUrl(after, "/q3") != null && "ready".equals(byUrl(after, "/quota.xml").getString("status")));
                });
          })
          .map(docs -> {
            assertThat(byUrl(docs, "/q3").getString("status")).isEqualTo("ready");
            assertThat(byUrl(docs, "/quota.xml").getString("error")).isNull();
            return docs;
          });
    }).onComplete(test.succeedingThenComplete());
  }
}
