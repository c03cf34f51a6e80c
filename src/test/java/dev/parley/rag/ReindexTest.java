package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.parley.fake.Fault;
import dev.parley.testing.Knowledge;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Changing the embedding model between two starts on the same data folder: the bot and its documents say a
 * re-index is needed, retrieval keeps using the old vectors while their model is available (and answers
 * without retrieval, saying so in the log, when it is not), and {@code POST /api/bots/{id}/reindex} moves
 * every document to the configured model and drops the old vectors.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ReindexTest {

  private static final String LOCAL = LocalEmbeddings.MODEL;
  private static final String OPENAI = OpenAiEmbeddingsApiTest.MODEL;

  private static final String HOURS = "# Opening hours\n\nThe shop opens at 10am on Saturdays and is closed on Sundays.";
  private static final String RETURNS = "# Returns\n\nYou can return any bicycle within 45 days for a full refund.";
  private static final String REPAIRS = "# Repairs\n\nPuncture repairs are done while you wait at the workshop counter.";

  /**
   * Makes the Vert.x instance the class's: every run of every test shares it, as a process would (a
   * database is migrated once per process, on the Vert.x that opened it first).
   */
  @BeforeAll
  static void oneVertx(Vertx vertx) {
    assertThat(vertx).isNotNull();
  }

  /** One run of Parley on {@code dataDir}, stopped after {@code work}, with the given embeddings config (null: local). */
  private static <T> Future<T> run(Vertx vertx, Path dataDir, JsonObject embeddings, Function<TestApp, Future<T>> work) {
    JsonObject overrides = new JsonObject().put("bot", new JsonObject().putNull("default_provider"));
    if (embeddings != null) {
      overrides.put("rag", new JsonObject().put("embeddings", embeddings));
    }
    return TestApp.start(vertx, dataDir, overrides).compose(app -> {
      return work.apply(app).eventually(app::stop);
    });
  }

  private static Future<JsonObject> get(TestApp app, String path) {
    return app.admin(HttpMethod.GET, path).send().map(response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      return response.bodyAsJsonObject();
    });
  }

  private static Future<JsonObject> reindex(TestApp app, String botId) {
    return app.admin(HttpMethod.POST, "/api/bots/" + botId + "/reindex").send().map(response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
      return response.bodyAsJsonObject();
    });
  }

  /** Waits until every document of the bot is ready or failed and none is still on {@code from}. */
  private static Future<JsonArray> moved(TestApp app, String botId, String from) {
    return Knowledge.until(app, botId, docs -> docs.stream().map(JsonObject.class::cast).allMatch(d ->
        ("ready".equals(d.getString("status")) || "failed".equals(d.getString("status")))
            && !from.equals(d.getString("embedding_model"))));
  }

  private static void assertIndex(JsonObject body, String configured, boolean needed, String... indexed) {
    assertThat(body.getString("embedding_model")).isEqualTo(configured);
    assertThat(body.getJsonArray("indexed_models")).containsExactly((Object[]) indexed);
    assertThat(body.getBoolean("reindex_needed")).isEqualTo(needed);
  }

  private static String topDocument(JsonArray results) {
    assertThat(results).isNotEmpty();
    return results.getJsonObject(0).getString("document_name");
  }

  /** How many of the bot's chunks still have a vector of the local model in the Lucene index. */
  private static Future<Integer> localVectors(TestApp app, String botId) {
    return app.vertx.executeBlocking(() -> {
      KnowledgeIndex index = KnowledgeIndex.open(app.dataDir.resolve("index"));
      try {
        float[] probe = new float[LocalEmbeddings.DIMENSION];
        probe[0] = 1;
        return index.search(botId, KnowledgeIndex.vectorField(LOCAL), "", probe, 50, -1.0,
            KnowledgeIndex.Mode.VECTOR).size();
      } finally {
        index.release();
      }
    });
  }

  @Test
  void switching_the_model_offers_a_reindex_that_moves_every_document_to_it(@TempDir Path dataDir, Vertx vertx,
      VertxTestContext test) {
    String[] bot = new String[1];
    Logger knowledgeLog = (Logger) LoggerFactory.getLogger(Retrieval.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();

    // 1. built with the local model
    run(vertx, dataDir, null, app -> Knowledge.bot(app, new JsonObject().put("fallback_text", "No idea.")).compose(b -> {
      bot[0] = b.getString("id");
      return Future.all(Knowledge.addText(app, bot[0], "Opening hours", HOURS),
              Knowledge.addText(app, bot[0], "Returns", RETURNS))
          .compose(added -> moved(app, bot[0], "none"))
          .compose(docs -> {
            assertThat(docs).allSatisfy(d -> assertThat(((JsonObject) d).getString("embedding_model")).isEqualTo(LOCAL));
            return get(app, "/api/bots/" + bot[0]);
          })
          .map(b1 -> {
            assertIndex(b1, LOCAL, false, LOCAL);
            return b1;
          });
    }))
    // 2. the operator switches to OpenAI embeddings
    .compose(v -> run(vertx, dataDir, OpenAiEmbeddingsApiTest.openAiEmbeddings(), app -> get(app, "/api/bots/" + bot[0])
        .compose(b2 -> {
          assertIndex(b2, OPENAI, true, LOCAL);
          return get(app, "/api/bots/" + bot[0] + "/documents");
        })
        .compose(list -> {
          assertIndex(list, OPENAI, true, LOCAL);
          assertThat(list.getInteger("reindex_documents")).isEqualTo(2);
          return Knowledge.search(app, bot[0], "When does the shop open on Saturday?");
        })
        .compose(found -> {
          assertThat(topDocument(found)).as("the local vectors still serve").isEqualTo("Opening hours");
          assertThat(app.openai.embeddingRequests()).as("a query against local vectors is embedded locally").isEmpty();
          // a document added now is embedded with the new model; both models are searched meanwhile
          return Knowledge.addText(app, bot[0], "Repairs", REPAIRS)
              .compose(doc -> Knowledge.settled(app, bot[0], doc.getString("id")));
        })
        .compose(repairs -> {
          assertThat(repairs.getString("embedding_model")).isEqualTo(OPENAI);
          return Future.all(Knowledge.search(app, bot[0], "puncture repairs at the workshop"),
              Knowledge.search(app, bot[0], "return a bicycle for a refund"), get(app, "/api/bots/" + bot[0]));
        })
        .compose(both -> {
          assertThat(topDocument(both.resultAt(0))).isEqualTo("Repairs");
          assertThat(topDocument(both.resultAt(1))).isEqualTo("Returns");
          assertIndex(both.resultAt(2), OPENAI, true, LOCAL, OPENAI);
          return reindex(app, bot[0]);
        })
        .compose(accepted -> {
          assertThat(accepted.getInteger("queued")).isEqualTo(2);
          assertThat(accepted.getString("embedding_model")).isEqualTo(OPENAI);
          return moved(app, bot[0], LOCAL);
        })
        .compose(docs -> {
          assertThat(docs).hasSize(3).allSatisfy(d -> {
            JsonObject doc = (JsonObject) d;
            assertThat(doc.getString("status")).as(doc.encode()).isEqualTo("ready");
            assertThat(doc.getString("embedding_model")).isEqualTo(OPENAI);
            assertThat(doc.getInteger("chunks_done")).isEqualTo(doc.getInteger("chunks_total"));
          });
          return Future.all(get(app, "/api/bots/" + bot[0]), localVectors(app, bot[0]),
              Knowledge.search(app, bot[0], "When does the shop open on Saturday?"), reindex(app, bot[0]));
        })
        .map(after -> {
          assertIndex(after.resultAt(0), OPENAI, false, OPENAI);
          assertThat((Integer) after.resultAt(1)).as("local vectors left in the index").isZero();
          assertThat(topDocument(after.resultAt(2))).isEqualTo("Opening hours");
          assertThat(((JsonObject) after.resultAt(3)).getInteger("queued")).as("nothing left to re-index").isZero();
          return after;
        })))
    // 3. back to the local model: the OpenAI vectors cannot be searched here until a re-index
    .compose(v -> {
      logged.start();
      knowledgeLog.addAppender(logged);
      return run(vertx, dataDir, null, app -> get(app, "/api/bots/" + bot[0])
          .compose(b3 -> {
            assertIndex(b3, LOCAL, true, OPENAI);
            return Future.all(Knowledge.search(app, bot[0], "When does the shop open on Saturday?"),
                app.chat(bot[0], new JsonObject().put("message", "When does the shop open on Saturday?")));
          })
          .compose(both -> {
            assertThat((JsonArray) both.resultAt(0)).isEmpty();
            JsonObject answer = ((HttpResponse<Buffer>) both.resultAt(1)).bodyAsJsonObject();
            assertThat(answer.getString("response")).isEqualTo("No idea.");
            assertThat(answer.getJsonArray("sources")).isEmpty();
            List<String> warnings = logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains(bot[0])).toList();
            assertThat(warnings).anySatisfy(m -> assertThat(m).contains(OPENAI).contains("without retrieval"));
            return reindex(app, bot[0]);
          })
          .compose(accepted -> {
            assertThat(accepted.getInteger("queued")).isEqualTo(3);
            return moved(app, bot[0], OPENAI);
          })
          .compose(docs -> Future.all(get(app, "/api/bots/" + bot[0]),
              Knowledge.search(app, bot[0], "When does the shop open on Saturday?")))
          .map(after -> {
            assertIndex(after.resultAt(0), LOCAL, false, LOCAL);
            assertThat(topDocument(after.resultAt(1))).isEqualTo("Opening hours");
            return after;
          }));
    })
    .eventually(() -> {
      knowledgeLog.detachAppender(logged);
      return Future.succeededFuture();
    })
    .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_reindex_whose_embeddings_fail_keeps_the_old_vectors_searchable(@TempDir Path dataDir, Vertx vertx,
      VertxTestContext test) {
    String[] ids = new String[2];
    run(vertx, dataDir, null, app -> Knowledge.bot(app, new JsonObject()).compose(b -> {
      ids[0] = b.getString("id");
      return Knowledge.addText(app, ids[0], "Returns", RETURNS);
    }).compose(doc -> {
      ids[1] = doc.getString("id");
      return Knowledge.settled(app, ids[0], ids[1]);
    }))
    .compose(v -> run(vertx, dataDir, OpenAiEmbeddingsApiTest.openAiEmbeddings(), app -> {
      app.openai.enqueueEmbeddings(Fault.status(401));
      return reindex(app, ids[0])
          .compose(accepted -> moved(app, ids[0], "none"))
          .compose(docs -> {
            JsonObject doc = docs.getJsonObject(0);
            assertThat(doc.getString("status")).isEqualTo("failed");
            assertThat(doc.getString("error")).contains("Re-indexing with " + OPENAI + " failed")
                .contains("refused the API key").contains("still searched with " + LOCAL);
            assertThat(doc.getString("embedding_model")).isEqualTo(LOCAL);
            return Future.all(Knowledge.search(app, ids[0], "return a bicycle for a refund"),
                get(app, "/api/bots/" + ids[0]));
          })
          .compose(both -> {
            assertThat(topDocument(both.resultAt(0))).isEqualTo("Returns");
            assertIndex(both.resultAt(1), OPENAI, true, LOCAL);
            return reindex(app, ids[0]);
          })
          .compose(again -> {
            assertThat(again.getInteger("queued")).isEqualTo(1);
            return moved(app, ids[0], LOCAL);
          })
          .compose(docs -> {
            assertThat(docs.getJsonObject(0).getString("status")).isEqualTo("ready");
            assertThat(docs.getJsonObject(0).getValue("error")).isNull();
            return Knowledge.search(app, ids[0], "return a bicycle for a refund");
          })
          .map(found -> {
            assertThat(topDocument(found)).isEqualTo("Returns");
            return found;
          });
    }))
    .onComplete(test.succeedingThenComplete());
  }
}
