package dev.parley.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/** The knowledge API of a test app, through its admin routes: bots, documents added and awaited, search. */
public final class Knowledge {

  private Knowledge() {
  }

  /** The bytes of a text document. */
  public static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  public static Future<JsonObject> bot(TestApp app, JsonObject extra) {
    return app.createBot(new JsonObject().put("name", "KB bot").mergeIn(extra));
  }

  public static Future<HttpResponse<Buffer>> upload(TestApp app, String botId, String fileName, String mime, byte[] bytes) {
    return app.admin(HttpMethod.POST, "/api/bots/" + botId + "/documents")
        .sendMultipartForm(MultipartForm.create().binaryFileUpload("file", fileName, Buffer.buffer(bytes), mime));
  }

  /** One multipart upload of several files: {@code files} maps each file name to its bytes, in order. */
  public static Future<HttpResponse<Buffer>> uploadAll(TestApp app, String botId, java.util.Map<String, byte[]> files) {
    MultipartForm form = MultipartForm.create();
    files.forEach((name, bytes) -> form.binaryFileUpload("file", name, Buffer.buffer(bytes), "application/octet-stream"));
    return app.admin(HttpMethod.POST, "/api/bots/" + botId + "/documents").sendMultipartForm(form);
  }

  public static Future<JsonObject> addText(TestApp app, String botId, String name, String text) {
    return app.admin(HttpMethod.POST, "/api/bots/" + botId + "/documents")
        .sendJsonObject(new JsonObject().put("name", name).put("text", text))
        .map(response -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          return response.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0);
        });
  }

  /** Polls the document until it is ready or failed. */
  public static Future<JsonObject> settled(TestApp app, String botId, String docId) {
    Promise<JsonObject> done = Promise.promise();
    poll(app, botId, docId, done, 0);
    return done.future();
  }

  private static void poll(TestApp app, String botId, String docId, Promise<JsonObject> done, int attempt) {
    app.admin(HttpMethod.GET, "/api/bots/" + botId + "/documents/" + docId).send().onComplete(result -> {
      if (result.failed()) {
        done.fail(result.cause());
        return;
      }
      JsonObject doc = result.result().bodyAsJsonObject();
      String status = doc.getString("status");
      if ("ready".equals(status) || "failed".equals(status)) {
        done.complete(doc);
      } else if (attempt > 400) {
        done.fail("document stuck in " + status);
      } else {
        app.vertx.setTimer(50, t -> poll(app, botId, docId, done, attempt + 1));
      }
    });
  }

  /** Whether the bot has {@code count} documents, each ready or failed. */
  public static boolean settled(JsonArray docs, int count) {
    return docs.size() == count && docs.stream().map(JsonObject.class::cast)
        .allMatch(d -> "ready".equals(d.getString("status")) || "failed".equals(d.getString("status")));
  }

  public static Future<JsonArray> search(TestApp app, String botId, String query) {
    return app.admin(HttpMethod.POST, "/api/bots/" + botId + "/search")
        .sendJsonObject(new JsonObject().put("query", query).put("top_k", 3).put("min_score", 0.0))
        .map(response -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          return response.bodyAsJsonObject().getJsonArray("results");
        });
  }

  public static Future<JsonArray> documents(TestApp app, String botId) {
    return app.admin(HttpMethod.GET, "/api/bots/" + botId + "/documents").send()
        .map(r -> r.bodyAsJsonObject().getJsonArray("documents"));
  }

  /** Polls the bot's documents until {@code done} holds for them. */
  public static Future<JsonArray> until(TestApp app, String botId, Predicate<JsonArray> done) {
    Promise<JsonArray> result = Promise.promise();
    poll(app, botId, done, result, 0);
    return result.future();
  }

  private static void poll(TestApp app, String botId, Predicate<JsonArray> done, Promise<JsonArray> result, int attempt) {
    documents(app, botId).onComplete(r -> {
      if (r.succeeded() && done.test(r.result())) {
        result.complete(r.result());
      } else if (attempt > 600) {
        result.fail("documents never settled: " + (r.succeeded() ? r.result().encodePrettily() : r.cause()));
      } else {
        app.vertx.setTimer(50, t -> poll(app, botId, done, result, attempt + 1));
      }
    });
  }
}
