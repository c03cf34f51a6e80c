package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QdrantStore} against {@link FakeQdrant}: collections per model, payload, the bot filter
 * the client sends, hybrid fusion with the text index, replacement and deletion.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class QdrantStoreTest {

  private static final String MODEL = "test-model";
  private static final String COLLECTION = "parley_test-model";

  @TempDir
  Path folder;

  FakeQdrant qdrant;
  QdrantStore store;
  WorkerExecutor workers;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    qdrant = new FakeQdrant().start();
    workers = vertx.createSharedWorkerExecutor("qdrant-test", 2);
    store = new QdrantStore(vertx.getOrCreateContext(), qdrant.client(), KnowledgeIndex.open(folder.resolve("text")),
        workers, workers, "qdrant fake");
  }

  @AfterEach
  void stop(VertxTestContext test) {
    store.close().eventually(() -> workers.close()).onComplete(done -> {
      qdrant.stop();
      test.completeNow();
    });
  }

  private static KnowledgeIndex.Entry entry(String doc, int position, String text, float... vector) {
    return new KnowledgeIndex.Entry(doc + ":" + position, position, "Heading " + position, text, unit(vector));
  }

  private static float[] unit(float... v) {
    double n = 0;
    for (float f : v) {
      n += f * f;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / Math.sqrt(n));
    }
    return out;
  }

  private Future<Void> twoBots() {
    return store.replaceDocument("bot_a", "doc_a1", "Volcanoes", MODEL, List.of(
            entry("doc_a1", 0, "Mount Etna is an active volcano in Sicily.", 1, 0, 0),
            entry("doc_a1", 1, "Lava flows reach the sea in winter.", 0.8f, 0.6f, 0)))
        .compose(v -> store.replaceDocument("bot_a", "doc_a2", "Rivers", MODEL, List.of(
            entry("doc_a2", 0, "The Danube flows through ten countries.", 0, 0, 1))))
        .compose(v -> store.replaceDocument("bot_b", "doc_b1", "Secret", MODEL, List.of(
            entry("doc_b1", 0, "Bot B's volcano notes are private.", 1, 0, 0))));
  }

  @Test
  void a_search_is_filtered_by_bot_in_qdrant_and_finds_the_nearest_chunks(VertxTestContext test) {
    store.check()
        .compose(v -> twoBots())
        .compose(v -> store.search("bot_a", MODEL, "volcano", unit(1, 0.1f, 0), 2, 0.0, KnowledgeIndex.Mode.VECTOR))
        .map(hits -> {
          assertThat(qdrant.requests(HealthCheckRequest.class)).hasSize(1);
          CreateCollection create = qdrant.requests(CreateCollection.class).get(0);
          assertThat(create.getCollectionName()).isEqualTo(COLLECTION);
          assertThat(create.getVectorsConfig().getParams().getSize()).isEqualTo(3);
          assertThat(create.getVectorsConfig().getParams().getDistance()).isEqualTo(Distance.Cosine);
          assertThat(qdrant.requests(CreateCollection.class)).hasSize(1);
          assertThat(qdrant.requests(CreateFieldIndexCollection.class))
              .extracting(CreateFieldIndexCollection::getFieldName).containsExactlyInAnyOrder("bot_id", "document_id");
          var stored = qdrant.collections.get(COLLECTION).values().stream()
              .filter(p -> p.payload().get("chunk_id").getStringValue().equals("doc_a1:1")).findFirst().orElseThrow();
          assertThat(stored.payload().get("bot_id").getStringValue()).isEqualTo("bot_a");
          assertThat(stored.payload().get("document_id").getStringValue()).isEqualTo("doc_a1");
          assertThat(stored.payload().get("document_name").getStringValue()).isEqualTo("Volcanoes");
          assertThat(stored.payload().get("heading").getStringValue()).isEqualTo("Heading 1");
          assertThat(stored.payload().get("position").getIntegerValue()).isEqualTo(1);

          SearchPoints search = qdrant.requests(SearchPoints.class).get(0);
          assertThat(search.getCollectionName()).isEqualTo(COLLECTION);
          List<Condition> must = search.getFilter().getMustList();
          assertThat(must).hasSize(1);
          assertThat(must.get(0).getField().getKey()).isEqualTo("bot_id");
          assertThat(must.get(0).getField().getMatch().getKeyword()).isEqualTo("bot_a");

          assertThat(hits).hasSize(2);
          assertThat(hits).extracting(KnowledgeIndex.Hit::documentId).containsOnly("doc_a1");
          assertThat(hits.get(0).content()).contains("Etna");
          assertThat(hits.get(0).score()).isGreaterThan(0.99);
          assertThat(hits.get(0).heading()).isEqualTo("Heading 0");
          return hits;
        })
        .compose(v -> store.search("bot_b", MODEL, "volcano", unit(1, 0, 0), 5, 0.0, KnowledgeIndex.Mode.HYBRID))
        .map(hits -> {
          assertThat(hits).extracting(KnowledgeIndex.Hit::documentId).containsExactly("doc_b1");
          return hits;
        })
        .compose(v -> store.search("bot_a", "other-model", "volcano", unit(1, 0, 0), 5, 0.0,
            KnowledgeIndex.Mode.VECTOR))
        .map(hits -> {
          assertThat(hits).as("no collection for a model nothing was embedded with").isEmpty();
          return hits;
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void hybrid_search_fuses_bm25_and_asks_qdrant_for_the_cosine_of_text_only_hits(VertxTestContext test) {
    List<KnowledgeIndex.Entry> filler = new java.util.ArrayList<>();
    for (int i = 0; i < KnowledgeIndex.CANDIDATES + 5; i++) {
      filler.add(entry("doc_fill", i, "Filler paragraph number " + i + " about nothing.", 1, i / 100f, 0));
    }
    store.replaceDocument("bot_a", "doc_fill", "Filler", MODEL, filler)
        .compose(v -> store.replaceDocument("bot_a", "doc_a2", "Rivers", MODEL, List.of(
            entry("doc_a2", 0, "The Danube flows through ten countries.", 0.1f, 0, 1))))
        // the vector points at the filler, so the Danube chunk is past the vector candidates: BM25 alone finds it
        .compose(v -> store.search("bot_a", MODEL, "Danube countries", unit(1, 0, 0), 3, -1.0,
            KnowledgeIndex.Mode.HYBRID))
        .map(hits -> {
          assertThat(hits.get(0).documentId()).isEqualTo("doc_a2");
          assertThat(hits.get(0).documentName()).isEqualTo("Rivers");
          assertThat(hits.get(0).score()).isBetween(0.09, 0.11);
          List<SearchPoints> searches = qdrant.requests(SearchPoints.class);
          assertThat(searches).hasSize(2);
          SearchPoints cosines = searches.get(1);
          assertThat(cosines.getFilter().getMustList()).anyMatch(c -> c.hasHasId() && c.getHasId().getHasIdCount() == 1);
          assertThat(cosines.getFilter().getMustList()).anyMatch(c -> c.hasField()
              && c.getField().getKey().equals("bot_id") && c.getField().getMatch().getKeyword().equals("bot_a"));
          return hits;
        })
        .compose(v -> store.search("bot_a", MODEL, "Danube countries", unit(1, 0, 0), 3, 0.5,
            KnowledgeIndex.Mode.HYBRID))
        .map(hits -> {
          assertThat(hits).as("min_score applies to the cosine").hasSize(3)
              .extracting(KnowledgeIndex.Hit::documentId).containsOnly("doc_fill");
          return hits;
        })
        .compose(v -> store.search("bot_a", MODEL, "Danube", null, 3, 0.0, KnowledgeIndex.Mode.BM25))
        .map(hits -> {
          assertThat(hits).extracting(KnowledgeIndex.Hit::documentId).containsExactly("doc_a2");
          return hits;
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void replacing_and_deleting_remove_points_by_document_and_by_bot(VertxTestContext test) {
    twoBots()
        .compose(v -> store.replaceDocument("bot_a", "doc_a1", "Volcanoes", MODEL, List.of(
            entry("doc_a1", 0, "Etna, shorter now.", 1, 0, 0))))
        .compose(v -> {
          assertThat(qdrant.size(COLLECTION)).isEqualTo(3);
          // re-embedded with another model: the old model's points go
          return store.replaceDocument("bot_a", "doc_a1", "Volcanoes", "model-two", List.of(
              entry("doc_a1", 0, "Etna, shorter now.", 1, 0, 0, 0)));
        })
        .compose(v -> {
          assertThat(qdrant.size(COLLECTION)).isEqualTo(2);
          assertThat(qdrant.size("parley_model-two")).isEqualTo(1);
          assertThat(qdrant.dimensions.get("parley_model-two")).isEqualTo(4);
          return store.count("bot_a");
        })
        .compose(count -> {
          assertThat(count).isEqualTo(2);
          return store.deleteDocument("doc_a2");
        })
        .compose(v -> {
          assertThat(qdrant.size(COLLECTION)).isEqualTo(1);
          return store.deleteBot("bot_a");
        })
        .compose(v -> {
          assertThat(qdrant.size("parley_model-two")).isZero();
          assertThat(qdrant.collections.get(COLLECTION).values())
              .allMatch(p -> p.payload().get("bot_id").getStringValue().equals("bot_b"));
          return Future.all(store.count("bot_a"), store.count("bot_b"));
        })
        .map(counts -> {
          assertThat((Integer) counts.resultAt(0)).isZero();
          assertThat((Integer) counts.resultAt(1)).isEqualTo(1);
          return counts;
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_unavailable_qdrant_is_a_503_with_a_safe_message(VertxTestContext test) {
    qdrant.down = true;
    store.search("bot_a", MODEL, "x", unit(1, 0, 0), 3, 0.0, KnowledgeIndex.Mode.VECTOR)
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertThat(failure).isInstanceOf(dev.parley.common.ParleyException.class);
          assertThat(((dev.parley.common.ParleyException) failure).status()).isEqualTo(503);
          assertThat(failure.getMessage()).contains("vector store").doesNotContain("down");
          test.completeNow();
        })));
  }
}
