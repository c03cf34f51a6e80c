package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.Seed;
import dev.parley.testing.TestApp;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The whole app with {@code rag.store = "qdrant"}, against {@link FakeQdrant} serving gRPC on a loopback port:
 * an uploaded file becomes points in the model's collection, a chat answer carries its sources, and deleting the
 * document (or the bot) removes its points.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class QdrantAppTest {

  private static final String COLLECTION = QdrantStore.collection(LocalEmbeddings.MODEL);

  static FakeQdrant qdrant;
  static TestApp app;

  @ParleyConfig
  static JsonObject config() throws Exception {
    qdrant = new FakeQdrant().start();
    int port = qdrant.listen();
    return new JsonObject().put("rag", new JsonObject().put("store", "qdrant")
        .put("qdrant", new JsonObject().put("host", "127.0.0.1").put("port", port).put("timeout_ms", 5_000)));
  }

  @AfterAll
  static void stop(VertxTestContext test) {
    app.stop().onComplete(done -> {
      qdrant.stop();
      test.completeNow();
    });
  }

  private static long points(String field, String value) {
    return qdrant.collections.getOrDefault(COLLECTION, java.util.Map.of()).values().stream()
        .filter(p -> value.equals(p.payload().get(field).getStringValue())).count();
  }

  @Test
  void an_upload_is_indexed_in_qdrant_answers_with_sources_and_its_deletion_removes_the_points(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject().put("provider", "openai").put("api_key", "sk-test-qdrant-0123456789")
        .put("rag", new JsonObject().put("min_score", 0.2))
        .put("widget", new JsonObject().put("citations", "snippets"))).compose(bot -> {
      String id = bot.getString("id");
      String[] doc = new String[1];
      return Knowledge.upload(app, id, "returns.txt", "text/plain",
              Knowledge.utf8("Returns\n\nYou can return any bicycle within 45 days for a full refund."))
          .compose(response -> {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
            doc[0] = response.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0).getString("id");
            return Knowledge.settled(app, id, doc[0]);
          })
          .compose(ready -> {
            assertThat(ready.getString("status")).as(ready.encode()).isEqualTo("ready");
            assertThat(points("document_id", doc[0])).isEqualTo(ready.getInteger("chunks_total").longValue());
            assertThat(points("bot_id", id)).isPositive();
            int searchesBefore = qdrant.requests(SearchPoints.class).size();
            return app.chat(id, new JsonObject().put("message", "How many days do I have to return my bicycle?"))
                .map(answer -> {
                  assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
                  JsonArray sources = answer.bodyAsJsonObject().getJsonArray("sources");
                  assertThat(sources).hasSize(1);
                  assertThat(sources.getJsonObject(0).getString("document_name")).isEqualTo("returns.txt");
                  assertThat(sources.getJsonObject(0).getString("snippet")).contains("45 days");
                  JsonObject upstream = app.openai.requests().get(app.openai.requests().size() - 1);
                  assertThat(upstream.getJsonArray("messages").getJsonObject(0).getString("content"))
                      .contains("within 45 days");
                  SearchPoints search = qdrant.requests(SearchPoints.class).get(searchesBefore);
                  assertThat(search.getCollectionName()).isEqualTo(COLLECTION);
                  assertThat(search.getFilter().getMust(0).getField().getMatch().getKeyword()).isEqualTo(id);
                  return answer;
                });
          })
          .compose(answered -> app.admin(HttpMethod.DELETE, "/api/bots/" + id + "/documents/" + doc[0]).send())
          .compose(deleted -> {
            assertThat(deleted.statusCode()).isEqualTo(204);
            assertThat(points("document_id", doc[0])).isZero();
            return Knowledge.search(app, id, "return a bicycle");
          })
          .compose(found -> {
            assertThat(found).isEmpty();
            // a bot's deletion removes its points too
            return Knowledge.addText(app, id, "Repairs", "Puncture repairs are done while you wait.")
                .compose(added -> Knowledge.settled(app, id, added.getString("id")));
          })
          .compose(repairs -> {
            assertThat(points("bot_id", id)).isPositive();
            return app.admin(HttpMethod.DELETE, "/api/bots/" + id).send();
          })
          .compose(deleted -> {
            assertThat(deleted.statusCode()).isEqualTo(204);
            return Await.until(app.vertx, () -> points("bot_id", id) == 0);
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_deletion_the_vector_store_refuses_keeps_the_document_so_that_deleting_it_again_removes_its_passages(
      VertxTestContext test) {
    Knowledge.bot(app, new JsonObject().put("provider", "extractive").put("rag", new JsonObject().put("min_score", 0.0)))
        .compose(bot -> {
          String id = bot.getString("id");
          String[] doc = new String[1];
          return Knowledge.addText(app, id, "Recall notice", "The Ember stove model E2 was recalled for a faulty valve.")
              .compose(added -> {
                doc[0] = added.getString("id");
                return Knowledge.settled(app, id, doc[0]);
              })
              .compose(ready -> {
                assertThat(points("document_id", doc[0])).isPositive();
                qdrant.down = true;
                return app.admin(HttpMethod.DELETE, "/api/bots/" + id + "/documents/" + doc[0]).send();
              })
              .compose(refused -> {
                qdrant.down = false;
                assertThat(refused.statusCode()).as(refused.bodyAsString()).isGreaterThanOrEqualTo(500);
                assertThat(points("document_id", doc[0])).as("its passages are still searchable").isPositive();
                return app.admin(HttpMethod.GET, "/api/bots/" + id + "/documents/" + doc[0]).send();
              })
              .compose(stillListed -> {
                assertThat(stillListed.statusCode()).as("the document is still there to delete again").isEqualTo(200);
                return app.admin(HttpMethod.DELETE, "/api/bots/" + id + "/documents/" + doc[0]).send();
              })
              .compose(deleted -> {
                assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(204);
                assertThat(points("document_id", doc[0])).isZero();
                return Knowledge.search(app, id, "ember stove recall");
              })
              .map(found -> {
                assertThat(found).isEmpty();
                return null;
              });
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_sitemap_of_many_pages_is_deleted_a_few_pages_at_a_time(VertxTestContext test) {
    Knowledge.bot(app, new JsonObject().put("provider", "extractive")).compose(bot -> {
      String id = bot.getString("id");
      return app.vertx.executeBlocking(() -> Seed.sitemap(app, id, 60))
          .compose(sitemap -> {
            qdrant.mostDeletesHeld.set(0);
            qdrant.deleteHoldMs = 20;
            return app.admin(HttpMethod.DELETE, "/api/bots/" + id + "/documents/" + sitemap).send()
                .eventually(() -> {
                  qdrant.deleteHoldMs = 0;
                  return io.vertx.core.Future.succeededFuture();
                })
                .compose(deleted -> {
                  assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(204);
                  assertThat(qdrant.mostDeletesHeld.get()).as("page deletions waiting on the vector store at once")
                      .isBetween(2, DocumentIntake.PAGES_AT_ONCE);
                  return app.admin(HttpMethod.GET, "/api/bots/" + id + "/documents/" + sitemap + "_59").send();
                });
          })
          .map(page -> {
            assertThat(page.statusCode()).as("the last page went too").isEqualTo(404);
            return null;
          });
    }).onComplete(test.succeedingThenComplete());
  }
}
