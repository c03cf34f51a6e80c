package dev.parley.rag;

import dev.parley.common.InternalAddresses;
import dev.parley.common.UrlSpelling;
import static dev.parley.testing.Knowledge.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Bus;
import dev.parley.common.RagClient;
import dev.parley.common.Timeouts;
import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The knowledge-base API end to end: real files, the real embedding model and the real Lucene index. */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class KnowledgeApiTest {

  static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    // bot.default_provider left to MainVerticle: no global key in tests, so key-less bots are extractive
    return new JsonObject().put("http", new JsonObject().put("upload_limit_bytes", 200_000))
        .put("bot", new JsonObject().putNull("default_provider"));
  }

  private static Future<JsonObject> uploadAndSettle(String botId, String fileName, String mime, byte[] bytes) {
    return Knowledge.upload(app, botId, fileName, mime, bytes).compose(response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
      JsonObject doc = response.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0);
      assertThat(doc.getString("status")).isEqualTo("pending");
      return Knowledge.settled(app, botId, doc.getString("id"));
    });
  }

  @Test
  void every_file_type_is_ingested_and_found_by_search(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      return Future.all(
              uploadAndSettle(id, "hours.txt", "text/plain", utf8("Our office is open Monday to Friday, 9am to 5pm.")),
              uploadAndSettle(id, "pets.md", "text/markdown", utf8("# Pets\n\nDogs are welcome in the lobby on a leash.")),
              uploadAndSettle(id, "parking.html", "text/html",
                  utf8("<html><body><h1>Parking</h1><p>Visitor parking is on level minus two.</p></body></html>")),
              uploadAndSettle(id, "wifi.pdf", "application/pdf", TestFiles.pdf("Guest Wi-Fi", "The guest wifi password is printed at reception.")),
              uploadAndSettle(id, "lunch.docx", "application/octet-stream",
                  TestFiles.docx("Canteen", "The canteen serves vegetarian lunch every day at noon.")))
          .compose(all -> {
            for (int i = 0; i < 5; i++) {
              JsonObject doc = all.resultAt(i);
              assertThat(doc.getString("status")).as(doc.encode()).isEqualTo("ready");
              assertThat(doc.getInteger("chunks_total")).isPositive();
              assertThat(doc.getInteger("chunks_done")).isEqualTo(doc.getInteger("chunks_total"));
              assertThat(doc.getDouble("progress")).isEqualTo(1.0);
              assertThat(doc.getString("embedding_model")).isEqualTo("all-minilm-l6-v2-q");
              assertThat(doc.getString("content_hash")).hasSize(64);
            }
            return Future.all(Knowledge.search(app, id, "Where can visitors park their car?"), Knowledge.search(app, id, "can I bring my dog"),
                Knowledge.search(app, id, "what is the wifi password"), Knowledge.search(app, id, "when is lunch served"));
          })
          .map(results -> {
            assertThat(((JsonArray) results.resultAt(0)).getJsonObject(0).getString("document_name")).isEqualTo("parking.html");
            JsonObject parking = ((JsonArray) results.resultAt(0)).getJsonObject(0);
            assertThat(parking.getString("heading")).isEqualTo("Parking");
            assertThat(parking.getString("snippet")).contains("level minus two");
            assertThat(parking.getDouble("score")).isBetween(0.2, 1.0);
            assertThat(((JsonArray) results.resultAt(1)).getJsonObject(0).getString("document_name")).isEqualTo("pets.md");
            assertThat(((JsonArray) results.resultAt(2)).getJsonObject(0).getString("document_name")).isEqualTo("wifi.pdf");
            assertThat(((JsonArray) results.resultAt(3)).getJsonObject(0).getString("document_name")).isEqualTo("lunch.docx");
            return results;
          })
          .compose(v -> app.admin(HttpMethod.GET, "/api/bots/" + id + "/documents").send())
          .map(list -> {
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.bodyAsJsonObject().getJsonArray("documents")).hasSize(5);
            return list;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void bad_files_fail_with_their_reason_and_can_be_retried(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      return Future.all(
              uploadAndSettle(id, "broken.pdf", "application/pdf", utf8("%PDF-1.4 garbage")),
              uploadAndSettle(id, "locked.pdf", "application/pdf", TestFiles.encryptedPdf("pw123", "secret")),
              uploadAndSettle(id, "empty.txt", "text/plain", new byte[0]),
              uploadAndSettle(id, "fine.txt", "text/plain", utf8("This one is fine and has text.")))
          .compose(all -> {
            JsonObject broken = all.resultAt(0);
            assertThat(broken.getString("status")).isEqualTo("failed");
            assertThat(broken.getString("error")).contains("damaged");
            assertThat(((JsonObject) all.resultAt(1)).getString("error")).contains("password");
            assertThat(((JsonObject) all.resultAt(2)).getString("error")).contains("empty");
            assertThat(((JsonObject) all.resultAt(3)).getString("status")).isEqualTo("ready");
            String fine = ((JsonObject) all.resultAt(3)).getString("id");
            return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents/" + fine + "/retry").send()
                .compose(conflict -> {
                  assertThat(conflict.statusCode()).isEqualTo(409);
                  return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents/" + broken.getString("id") + "/retry").send();
                })
                .compose(retried -> {
                  assertThat(retried.statusCode()).isEqualTo(202);
                  assertThat(retried.bodyAsJsonObject().getString("status")).isIn("pending", "processing", "failed");
                  return Knowledge.settled(app, id, broken.getString("id"));
                })
                .map(again -> {
                  assertThat(again.getString("status")).isEqualTo("failed");
                  assertThat(again.getString("error")).contains("damaged");
                  return again;
                });
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_docx_zip_bomb_fails_the_document(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> uploadAndSettle(bot.getString("id"), "bomb.docx", "application/octet-stream",
            TestFiles.docxZipBombSmall()))
        .map(doc -> {
          assertThat(doc.getString("status")).isEqualTo("failed");
          assertThat(doc.getString("error")).contains("zip bomb");
          return doc;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void unsupported_types_get_415_and_too_large_uploads_413(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      return Knowledge.upload(app, id, "photo.png", "image/png", new byte[] {1, 2, 3})
          .compose(png -> {
            assertThat(png.statusCode()).isEqualTo(415);
            assertThat(png.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unsupported_media_type");
            return Knowledge.upload(app, id, "big.txt", "text/plain", new byte[300_000]);
          })
          .compose(big -> {
            assertThat(big.statusCode()).isEqualTo(413);
            return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents")
                .sendJsonObject(new JsonObject().put("name", "x"));
          })
          .compose(noText -> {
            assertThat(noText.statusCode()).isEqualTo(422);
            return app.admin(HttpMethod.POST, "/api/bots/bot_missing/documents")
                .sendJsonObject(new JsonObject().put("name", "x").put("text", "y"));
          })
          .map(missing -> {
            assertThat(missing.statusCode()).isEqualTo(404);
            return missing;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_url_on_loopback_is_refused(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> app.admin(HttpMethod.POST, "/api/bots/" + bot.getString("id") + "/documents")
            .sendJsonObject(new JsonObject().put("url", "http://127.0.0.1:" + app.port + "/api/bots")))
        .compose(response -> {
          assertThat(response.statusCode()).isEqualTo(422);
          assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("url_not_allowed");
          return app.admin(HttpMethod.POST, "/api/bots/bot_x/documents")
              .sendJsonObject(new JsonObject().put("url", "file:///etc/passwd"));
        })
        .map(response -> {
          assertThat(response.statusCode()).isIn(404, 422);
          assertThat(InternalAddresses.isInternal(address("10.1.2.3"))).isTrue();
          assertThat(InternalAddresses.isInternal(address("169.254.169.254"))).isTrue();
          assertThat(InternalAddresses.isInternal(address("::1"))).isTrue();
          assertThat(InternalAddresses.isInternal(address("fd00::1"))).isTrue();
          assertThat(InternalAddresses.isInternal(address("::ffff:127.0.0.1"))).isTrue();
          assertThat(InternalAddresses.isInternal(address("100.64.0.1"))).isTrue();
          assertThat(InternalAddresses.isInternal(address("93.184.216.34"))).isFalse();
          return response;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void deleting_a_document_removes_its_vectors(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      return Knowledge.addText(app, id, "Volcanoes", "Mount Etna is an active volcano in Sicily.")
          .compose(doc -> Knowledge.settled(app, id, doc.getString("id")))
          .compose(doc -> Knowledge.search(app, id, "volcano in Sicily").compose(found -> {
            assertThat(found).hasSize(1);
            return app.admin(HttpMethod.DELETE, "/api/bots/" + id + "/documents/" + doc.getString("id")).send();
          }).compose(deleted -> {
            assertThat(deleted.statusCode()).isEqualTo(204);
            return app.admin(HttpMethod.GET, "/api/bots/" + id + "/documents/" + doc.getString("id")).send();
          }).compose(gone -> {
            assertThat(gone.statusCode()).isEqualTo(404);
            return Knowledge.search(app, id, "volcano in Sicily");
          }))
          .map(found -> {
            assertThat(found).isEmpty();
            return found;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void deleting_a_bot_removes_its_documents_vectors_and_files(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      RagClient rag = new RagClient(new Bus(app.vertx), Timeouts.from(null));
      return Knowledge.addText(app, id, "Rivers", "The Danube flows through ten countries.")
          .compose(doc -> Knowledge.settled(app, id, doc.getString("id")))
          .compose(doc -> rag.search("test", id, "Danube countries", 3, 0.0, null))
          .compose(found -> {
            assertThat(found).hasSize(1);
            assertThat(Files.exists(app.dataDir.resolve("documents").resolve(id))).isTrue();
            return app.admin(HttpMethod.DELETE, "/api/bots/" + id).send();
          })
          .compose(deleted -> {
            assertThat(deleted.statusCode()).isEqualTo(204);
            Promise<Void> later = Promise.promise();
            app.vertx.setTimer(500, t -> later.complete());
            return later.future();
          })
          .compose(v -> rag.search("test", id, "Danube countries", 3, 0.0, null))
          .compose(found -> {
            assertThat(found).isEmpty();
            assertThat(Files.exists(app.dataDir.resolve("documents").resolve(id))).isFalse();
            return rag.list("test", id);
          })
          .map(docs -> {
            assertThat(docs).isEmpty();
            return docs;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void chat_puts_passages_in_the_prompt_and_returns_sources_as_json_and_sse(VertxTestContext test) {
    // snippets: the citation mode that shows visitors each passage's heading, snippet and score
    Knowledge.bot(app, new JsonObject().put("provider", "openai").put("api_key", "sk-test-rag-0123456789")
        .put("rag", new JsonObject().put("min_score", 0.2))
        .put("widget", new JsonObject().put("citations", "snippets"))).compose(bot -> {
      String id = bot.getString("id");
      return Knowledge.addText(app, id, "Returns policy", "# Returns\n\nYou can return any item within 45 days for a full refund.")
          .compose(doc -> Knowledge.settled(app, id, doc.getString("id")))
          .compose(doc -> app.chat(id, new JsonObject().put("message", "How many days do I have to return an item?")))
          .compose(response -> {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
            JsonObject body = response.bodyAsJsonObject();
            JsonArray sources = body.getJsonArray("sources");
            assertThat(sources).hasSize(1);
            assertThat(sources.getJsonObject(0).getString("document_name")).isEqualTo("Returns policy");
            assertThat(sources.getJsonObject(0).getString("heading")).isEqualTo("Returns");
            assertThat(sources.getJsonObject(0).getString("snippet")).contains("45 days");
            assertThat(sources.getJsonObject(0).getDouble("score")).isPositive();
            JsonObject upstream = app.openai.requests().get(app.openai.requests().size() - 1);
            String system = upstream.getJsonArray("messages").getJsonObject(0).getString("content");
            assertThat(system).contains("within 45 days").contains("Returns policy");
            return app.client.get("/api/chat/" + id + "/session/" + body.getString("session_id")).send();
          })
          .compose(session -> {
            JsonArray messages = session.bodyAsJsonObject().getJsonArray("messages");
            assertThat(messages.getJsonObject(1).getJsonArray("sources")).hasSize(1);
            return app.client.post("/api/chat/" + id).putHeader("Accept", "text/event-stream")
                .sendJsonObject(new JsonObject().put("message", "return window?"));
          })
          .compose(stream -> {
            String sse = stream.bodyAsString();
            assertThat(sse).contains("event: sources");
            assertThat(sse.indexOf("event: sources")).isLessThan(sse.indexOf("event: done"));
            assertThat(sse).contains("Returns policy");
            // a question with nothing relevant carries no sources
            return app.chat(id, new JsonObject().put("message", "Tell me about quantum chromodynamics"));
          })
          .map(unrelated -> {
            assertThat(unrelated.bodyAsJsonObject().getJsonArray("sources")).isEmpty();
            return unrelated;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_extractive_bot_answers_from_the_knowledge_base_offline(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject().put("fallback_text", "No idea, sorry.")).compose(bot -> {
      assertThat(bot.getString("provider")).isEqualTo("extractive");
      String id = bot.getString("id");
      int before = app.openai.requests().size();
      return Knowledge.addText(app, id, "Opening hours", "## Weekend\n\nThe shop opens at 10am on Saturdays and is closed on Sundays.")
          .compose(doc -> Knowledge.settled(app, id, doc.getString("id")))
          .compose(doc -> app.chat(id, new JsonObject().put("message", "When do you open on Saturday?")))
          .compose(response -> {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
            JsonObject body = response.bodyAsJsonObject();
            assertThat(body.getString("response")).contains("10am on Saturdays").contains("Opening hours");
            assertThat(body.getJsonArray("sources")).isNotEmpty();
            return app.chat(id, new JsonObject().put("message", "What is the airspeed of an unladen swallow?"));
          })
          .compose(response -> {
            assertThat(response.bodyAsJsonObject().getString("response")).isEqualTo("No idea, sorry.");
            assertThat(response.bodyAsJsonObject().getJsonArray("sources")).isEmpty();
            return app.client.post("/api/chat/" + id).putHeader("Accept", "text/event-stream")
                .sendJsonObject(new JsonObject().put("message", "Saturday opening time"));
          })
          .map(stream -> {
            String sse = stream.bodyAsString();
            assertThat(sse).contains("event: delta").contains("event: sources").contains("event: done");
            assertThat(app.openai.requests()).hasSize(before);
            return stream;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  private static java.net.InetAddress address(String literal) {
    try {
      return java.net.InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
