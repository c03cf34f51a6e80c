package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeOpenAi;
import dev.parley.fake.Fault;
import dev.parley.security.LogCanary;
import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The knowledge-base API end to end with {@code rag.embeddings.provider = "openai"}: documents are embedded
 * through {@link FakeOpenAi}'s {@code /v1/embeddings} (its base URL is the chat provider's, the fallback), searched
 * and used in chat; an embeddings failure fails the document with its reason and leaves nothing in the index.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class OpenAiEmbeddingsApiTest {

  static final String KEY = "sk-" + LogCanary.MARK + "-kb-embeddings-" + UUID.randomUUID();
  static final String MODEL = "openai:text-embedding-3-small";

  static TestApp app;

  /** The config that switches a test app to the OpenAI-compatible embeddings of its fake (small batches, quick retries). */
  static JsonObject openAiEmbeddings() {
    return new JsonObject().put("provider", "openai").put("api_key", KEY).put("batch", 2).put("timeout_ms", 3_000)
        .put("max_retries", 1).put("backoff_initial_ms", 5).put("backoff_max_ms", 20);
  }

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject()
        .put("bot", new JsonObject().putNull("default_provider"))
        .put("rag", new JsonObject().put("chunk_size", 200).put("chunk_overlap", 0).put("embeddings", openAiEmbeddings()));
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
  }

  private static Future<JsonObject> settledText(String botId, String name, String text) {
    return Knowledge.addText(app, botId, name, text).compose(doc -> {
      assertThat(doc.getValue("embedding_model")).as("no vectors yet").isNull();
      return Knowledge.settled(app, botId, doc.getString("id"));
    });
  }

  /** How many chunks of the document the Lucene index holds (the app's own index, shared in this JVM). */
  private static Future<Integer> indexed(String documentId) {
    return app.vertx.executeBlocking(() -> {
      KnowledgeIndex index = KnowledgeIndex.open(app.dataDir.resolve("index"));
      try {
        return index.countDocument(documentId);
      } finally {
        index.release();
      }
    });
  }

  @Test
  void documents_are_embedded_through_the_api_and_found_by_search_and_chat(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject().put("fallback_text", "No idea.")).compose(bot -> {
      String id = bot.getString("id");
      return Future.all(
              settledText(id, "Pets", "# Pets\n\nDogs are welcome in the lobby on a leash."),
              settledText(id, "Parking", "# Parking\n\nVisitor parking is on level minus two of the garage."),
              settledText(id, "Canteen", "# Canteen\n\nThe canteen serves vegetarian lunch every day at noon."))
          .compose(all -> {
            for (int i = 0; i < 3; i++) {
              JsonObject doc = all.resultAt(i);
              assertThat(doc.getString("status")).as(doc.encode()).isEqualTo("ready");
              assertThat(doc.getString("embedding_model")).isEqualTo(MODEL);
            }
            assertThat(app.openai.embeddingRequests()).hasSize(3);
            assertThat(app.openai.embeddingRequests()).allSatisfy(request ->
                assertThat(request.getString("model")).isEqualTo("text-embedding-3-small"));
            assertThat(app.openai.embeddingKeys()).containsOnly(KEY);
            return Knowledge.search(app, id, "Where is visitor parking?");
          })
          .compose(found -> {
            assertThat(found.getJsonObject(0).getString("document_name")).isEqualTo("Parking");
            assertThat(found.getJsonObject(0).getDouble("score")).isGreaterThan(0.2);
            assertThat(app.openai.embeddingRequests()).as("the query was embedded by the API, and nothing else: no heading or sentence of the second stage goes to a paid API").hasSize(4);
            return app.chat(id, new JsonObject().put("message", "Are dogs welcome in the lobby?"));
          })
          .compose(answer -> {
            assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
            JsonObject body = answer.bodyAsJsonObject();
            assertThat(body.getString("response")).contains("Dogs are welcome");
            assertThat(body.getJsonArray("sources").getJsonObject(0).getString("document_name")).isEqualTo("Pets");
            return Future.all(app.admin(HttpMethod.GET, "/api/bots/" + id).send(),
                app.admin(HttpMethod.GET, "/api/bots/" + id + "/documents").send());
          })
          .map(both -> {
            for (int i = 0; i < 2; i++) {
              JsonObject body = ((io.vertx.ext.web.client.HttpResponse<?>) both.resultAt(i)).bodyAsJsonObject();
              assertThat(body.getString("embedding_model")).isEqualTo(MODEL);
              assertThat(body.getJsonArray("indexed_models")).containsExactly(MODEL);
              assertThat(body.getBoolean("reindex_needed")).isFalse();
              assertThat(body.encode()).doesNotContain(LogCanary.MARK);
            }
            return both;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_embeddings_failure_fails_the_document_with_its_reason_and_indexes_nothing(VertxTestContext test) {
    // several chunks in batches of two: the first batch is embedded, the second comes back cut off
    String text = "# Volcanoes\n\n" + String.join("\n\n",
        "Mount Etna is an active volcano on the east coast of Sicily, the tallest in Europe outside the Caucasus.",
        "Stromboli has erupted almost continuously for two thousand years and is called the lighthouse of the sea.",
        "Vesuvius buried Pompeii and Herculaneum in the year 79 and is watched closely by the observatory.",
        "Hekla in Iceland was known in the Middle Ages as the gateway to hell by travellers from the continent.",
        "Kilauea on Hawaii sends lava into the ocean, where it builds new land along the southern shore.");
    Knowledge.bot(app, new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      app.openai.enqueueEmbeddings(Fault.delay(1));
      app.openai.enqueueEmbeddings(Fault.malformedJson());
      return settledText(id, "Volcanoes", text)
          .compose(doc -> {
            assertThat(doc.getString("status")).isEqualTo("failed");
            assertThat(doc.getString("error")).contains("embeddings API").contains("cannot use");
            assertThat(doc.getInteger("chunks_total")).isGreaterThan(2);
            assertThat(doc.getValue("embedding_model")).isNull();
            assertThat(app.openai.embeddingRequests()).hasSize(2);
            return Future.all(indexed(doc.getString("id")), Knowledge.search(app, id, "Stromboli lighthouse"),
                app.admin(HttpMethod.POST, "/api/bots/" + id + "/search")
                    .sendJsonObject(new JsonObject().put("query", "Stromboli lighthouse").put("mode", "bm25")))
                .compose(checks -> {
                  assertThat((Integer) checks.resultAt(0)).as("chunks of the failed document in the index").isZero();
                  assertThat((JsonArray) checks.resultAt(1)).isEmpty();
                  assertThat(((io.vertx.ext.web.client.HttpResponse<?>) checks.resultAt(2)).bodyAsJsonObject()
                      .getJsonArray("results")).isEmpty();
                  // the key is refused (and echoed back by the API): a clear reason, and the key goes nowhere
                  app.openai.enqueueEmbeddings(Fault.keyEcho());
                  return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents/" + doc.getString("id") + "/retry")
                      .send();
                })
                .compose(retried -> {
                  assertThat(retried.statusCode()).isEqualTo(202);
                  return Knowledge.settled(app, id, doc.getString("id"));
                })
                .compose(refused -> {
                  assertThat(refused.getString("status")).isEqualTo("failed");
                  assertThat(refused.getString("error")).contains("refused the API key").contains("401")
                      .doesNotContain(LogCanary.MARK);
                  // a rate limit outlasting the retries (two attempts)
                  app.openai.enqueueEmbeddings(Fault.status(429));
                  app.openai.enqueueEmbeddings(Fault.status(429));
                  return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents/" + doc.getString("id") + "/retry")
                      .send().compose(r -> Knowledge.settled(app, id, doc.getString("id")));
                })
                .compose(limited -> {
                  assertThat(limited.getString("status")).isEqualTo("failed");
                  assertThat(limited.getString("error")).contains("rate limiting").contains("429");
                  // the API recovers: a retry indexes the whole document
                  return app.admin(HttpMethod.POST, "/api/bots/" + id + "/documents/" + doc.getString("id") + "/retry")
                      .send().compose(r -> Knowledge.settled(app, id, doc.getString("id")));
                })
                .compose(ready -> {
                  assertThat(ready.getString("status")).isEqualTo("ready");
                  assertThat(ready.getString("embedding_model")).isEqualTo(MODEL);
                  return Future.all(indexed(doc.getString("id")), Knowledge.search(app, id, "Stromboli lighthouse"),
                      app.admin(HttpMethod.GET, "/api/bots/" + id + "/documents").send(),
                      Future.succeededFuture(ready.getInteger("chunks_total")));
                });
          })
          .map(checks -> {
            assertThat((Integer) checks.resultAt(0)).isEqualTo((Integer) checks.resultAt(3));
            assertThat(((JsonArray) checks.resultAt(1)).getJsonObject(0).getString("text")).contains("Stromboli");
            String list = ((io.vertx.ext.web.client.HttpResponse<?>) checks.resultAt(2)).bodyAsString();
            assertThat(list).doesNotContain(LogCanary.MARK);
            assertThat(LogCanary.hits()).noneMatch(line -> line.contains(KEY));
            return checks;
          });
    }).onComplete(test.succeedingThenComplete());
  }
}
