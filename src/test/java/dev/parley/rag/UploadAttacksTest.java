package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyConfig;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Upload cases of the catalogue (§3 E) through the API, on a Parley whose bots may hold at most
 * three documents and 100,000 bytes. The catalogue's {@code unsupported_file_type} is Parley's
 * 415 {@code unsupported_media_type}, the code every refused file type already gets.
 */
@ParleyTest
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class UploadAttacksTest {

  static final int MAX_DOCUMENTS = 3;
  static final int MAX_BYTES = 100_000;

  static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("rag", new JsonObject()
        .put("max_documents_per_bot", MAX_DOCUMENTS).put("max_bytes_per_bot", MAX_BYTES));
  }

  static Future<JsonArray> documents(String botId) {
    return Knowledge.documents(app, botId);
  }

  static void assertError(HttpResponse<Buffer> response, int status, String code, String message) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).isEqualTo(message);
  }

  /** Case 41: the bytes are sniffed; a file whose content is not what its name says is 415 and nothing is stored. */
  @Test
  void a_file_whose_content_is_not_its_type_is_415_and_nothing_is_stored(VertxTestContext test) {
    byte[] script = "<html><body><script>alert(document.cookie)</script></body></html>".getBytes(StandardCharsets.UTF_8);
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String botId = bot.getString("id");
      return Knowledge.upload(app, botId, "report.pdf", "application/pdf", script)
          .compose(spoofed -> {
            assertError(spoofed, 415, "unsupported_media_type", "The file is named as a PDF but its content is not a PDF");
            return Knowledge.upload(app, botId, "REPORT.PDF", "application/pdf", script);
          })
          .compose(upper -> {
            assertError(upper, 415, "unsupported_media_type", "The file is named as a PDF but its content is not a PDF");
            return Knowledge.upload(app, botId, "minutes.docx", "application/octet-stream", TestFiles.pdf("Minutes"));
          })
          .compose(docx -> {
            assertError(docx, 415, "unsupported_media_type", "The file is named as a DOCX document but its content is not one");
            return Knowledge.upload(app, botId, "notes.txt", "text/plain", TestFiles.pdf("Notes"));
          })
          .compose(text -> {
            assertError(text, 415, "unsupported_media_type", "The file is named as a txt file but its content is binary");
            return documents(botId);
          })
          .compose(docs -> {
            assertThat(docs).isEmpty();
            assertThat(Files.exists(app.dataDir.resolve("documents").resolve(botId))).isFalse();
            // a double extension is read as its last one: an HTML page, its script dropped
            return Knowledge.upload(app, botId, "page.pdf.html", "text/html", script);
          })
          .compose(html -> {
            assertThat(html.statusCode()).isEqualTo(202);
            return Knowledge.settled(app, botId, html.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0)
                .getString("id"));
          });
    }).onComplete(test.succeeding(doc -> test.verify(() -> {
      assertThat(doc.getString("status")).isEqualTo("failed");
      assertThat(doc.getString("error")).isEqualTo("The document contains no text");
      test.completeNow();
    })));
  }

  /** Case 42: names are kept as text of at most 200 characters, without bidi overrides; files are stored by id. */
  @Test
  void hostile_file_names_are_kept_as_plain_bounded_text(VertxTestContext test) {
    String longName = "x".repeat(1_000) + ".txt";
    byte[] text = "Harmless text about the opening hours.".getBytes(StandardCharsets.UTF_8);
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String botId = bot.getString("id");
      return Future.all(List.of(
              Knowledge.upload(app, botId, longName, "text/plain", text),
              Knowledge.upload(app, botId, "CON.txt", "text/plain", text),
              Knowledge.upload(app, botId, "invoice\u202Efdp.txt", "text/plain", text)))
          .map(all -> {
            for (int i = 0; i < 3; i++) {
              HttpResponse<Buffer> response = all.resultAt(i);
              assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
            }
            return botId;
          })
          .compose(UploadAttacksTest::documents)
          .map(docs -> {
            try (Stream<Path> stored = Files.list(app.dataDir.resolve("documents").resolve(botId))) {
              assertThat(stored.map(p -> p.getFileName().toString())).hasSize(3)
                  .allMatch(file -> file.matches("doc_[a-z0-9]+"));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            return docs.stream().map(JsonObject.class::cast).map(d -> d.getString("name")).toList();
          });
    }).onComplete(test.succeeding(names -> test.verify(() -> {
      assertThat(names).containsExactlyInAnyOrder("x".repeat(200), "CON.txt", "invoicefdp.txt");
      test.completeNow();
    })));
  }

  /** Case 45: a PDF that defeats the parser fails with its reason while the file beside it is indexed. */
  @Test
  void a_pathological_pdf_fails_alone(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String botId = bot.getString("id");
      return Future.all(
              Knowledge.upload(app, botId, "deep.pdf", "application/pdf", TestFiles.nestedPdf(20_000, "Deep")),
              Knowledge.upload(app, botId, "fine.pdf", "application/pdf", TestFiles.pdf("The museum opens at ten.")))
          .compose(all -> Future.all(
              Knowledge.settled(app, botId, id(all.resultAt(0))), Knowledge.settled(app, botId, id(all.resultAt(1)))));
    }).onComplete(test.succeeding(both -> test.verify(() -> {
      JsonObject deep = both.resultAt(0);
      assertThat(deep.getString("status")).isEqualTo("failed");
      assertThat(deep.getString("error")).isEqualTo("The document contains no text");
      assertThat(deep.getInteger("chunks_total")).isZero();
      assertThat(((JsonObject) both.resultAt(1)).getString("status")).isEqualTo("ready");
      test.completeNow();
    })));
  }

  /** Case 49: past the bot's document count 409, past its bytes 413, both {@code quota_exceeded}, nothing stored. */
  @Test
  void quotas_stop_uploads_with_quota_exceeded_and_store_nothing(VertxTestContext test) {
    byte[] big = ("Forty kilobytes of shelf labels. ".repeat(1_250)).getBytes(StandardCharsets.UTF_8);
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String botId = bot.getString("id");
      return Knowledge.upload(app, botId, "shelves-1.txt", "text/plain", big)
          .compose(first -> {
            assertThat(first.statusCode()).isEqualTo(202);
            return Knowledge.upload(app, botId, "shelves-2.txt", "text/plain", big);
          })
          .compose(second -> {
            assertThat(second.statusCode()).isEqualTo(202);
            return Knowledge.upload(app, botId, "shelves-3.txt", "text/plain", big);
          })
          .compose(third -> {
            assertError(third, 413, "quota_exceeded", "The bot's documents would take " + (3 * big.length)
                + " bytes, more than its limit of " + MAX_BYTES + " bytes (rag.max_bytes_per_bot)");
            return Knowledge.addText(app, botId, "Hours", "Open nine to five.");
          })
          .compose(third -> app.admin(HttpMethod.POST, "/api/bots/" + botId + "/documents")
              .sendJsonObject(new JsonObject().put("name", "More").put("text", "One too many.")))
          .compose(fourth -> {
            assertError(fourth, 409, "quota_exceeded", "The bot already has 3 documents, its limit "
                + "(rag.max_documents_per_bot); delete some to add more");
            return documents(botId);
          })
          .compose(docs -> {
            assertThat(docs).hasSize(MAX_DOCUMENTS);
            assertThat(docs.stream().map(JsonObject.class::cast).map(d -> d.getString("name")))
                .containsExactlyInAnyOrder("shelves-1.txt", "shelves-2.txt", "Hours");
            // deleting one frees room
            return app.admin(HttpMethod.DELETE, "/api/bots/" + botId + "/documents/"
                + docs.getJsonObject(0).getString("id")).send();
          })
          .compose(deleted -> app.admin(HttpMethod.POST, "/api/bots/" + botId + "/documents")
              .sendJsonObject(new JsonObject().put("name", "More").put("text", "Room again.")));
    }).onComplete(test.succeeding(again -> test.verify(() -> {
      assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(202);
      test.completeNow();
    })));
  }

  /** Several files in one upload: each a document, in their order, each ingested. */
  @Test
  void the_files_of_one_upload_each_become_a_document_in_their_order(VertxTestContext test) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("hours.md", Knowledge.utf8("# Hours\n\nThe shop opens at nine."));
    files.put("returns.txt", Knowledge.utf8("Returns are accepted within thirty days."));
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String botId = bot.getString("id");
      return Knowledge.uploadAll(app, botId, files).compose(upload -> {
        assertThat(upload.statusCode()).as(upload.bodyAsString()).isEqualTo(202);
        JsonArray added = upload.bodyAsJsonObject().getJsonArray("documents");
        assertThat(added.stream().map(d -> ((JsonObject) d).getString("name"))).containsExactly("hours.md", "returns.txt");
        return Future.all(Knowledge.settled(app, botId, added.getJsonObject(0).getString("id")),
            Knowledge.settled(app, botId, added.getJsonObject(1).getString("id")));
      });
    }).onComplete(test.succeeding(both -> test.verify(() -> {
      assertThat(both.<JsonObject>resultAt(0).getString("status")).isEqualTo("ready");
      assertThat(both.<JsonObject>resultAt(1).getString("status")).isEqualTo("ready");
      assertThat(both.<JsonObject>resultAt(1).getInteger("chunks_total")).isEqualTo(1);
      test.completeNow();
    })));
  }

  /**
   * An upload is added whole or not at all: one file refused among good ones refuses the upload (its name in the
   * message), files that together pass the quota are refused together, and more than 100 files are 413.
   */
  @Test
  void an_upload_with_a_refused_file_or_past_the_quota_adds_none_of_its_files(VertxTestContext test) {
    Map<String, byte[]> spoofed = new LinkedHashMap<>();
    spoofed.put("hours.md", Knowledge.utf8("# Hours\n\nNine to five."));
    spoofed.put("report.pdf", Knowledge.utf8("<html><body>not a pdf</body></html>"));
    spoofed.put("returns.txt", Knowledge.utf8("Thirty days."));
    Map<String, byte[]> four = new LinkedHashMap<>();
    for (int i = 1; i <= MAX_DOCUMENTS + 1; i++) {
      four.put("note-" + i + ".txt", Knowledge.utf8("Note " + i + "."));
    }
    Map<String, byte[]> many = new LinkedHashMap<>();
    for (int i = 1; i <= 101; i++) {
      many.put("page-" + i + ".txt", Knowledge.utf8("Page " + i + "."));
    }
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String botId = bot.getString("id");
      return Knowledge.uploadAll(app, botId, spoofed)
          .compose(refused -> {
            assertError(refused, 415, "unsupported_media_type",
                "'report.pdf': The file is named as a PDF but its content is not a PDF");
            return Knowledge.uploadAll(app, botId, four);
          })
          .compose(overQuota -> {
            assertError(overQuota, 409, "quota_exceeded", "The bot has 0 documents and 4 more would pass its limit"
                + " of 3 (rag.max_documents_per_bot); send fewer or delete some");
            return Knowledge.uploadAll(app, botId, many);
          })
          .compose(tooMany -> {
            assertError(tooMany, 413, "too_many_files", "Send at most 100 files in one upload; this one has 101");
            return documents(botId);
          });
    }).onComplete(test.succeeding(docs -> test.verify(() -> {
      assertThat(docs).isEmpty();
      test.completeNow();
    })));
  }

  private static String id(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
    return response.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0).getString("id");
  }
}
