package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A search query is embedded once: kept after, shared while it runs, never kept when it failed, bounded. */
class QueryVectorsTest {

  /** A model that answers when the test says, counting what it was asked. */
  private static final class Model implements Embedder {
    final List<String> queries = new ArrayList<>();
    final List<Promise<float[]>> pending = new ArrayList<>();
    int documents;

    @Override
    public String model() {
      return "test";
    }

    @Override
    public int batch() {
      return 4;
    }

    @Override
    public Future<List<float[]>> embed(List<String> texts) {
      documents += texts.size();
      return Future.succeededFuture(texts.stream().map(t -> new float[384]).toList());
    }

    @Override
    public Future<float[]> embedQuery(String text) {
      queries.add(text);
      Promise<float[]> promise = Promise.promise();
      pending.add(promise);
      return promise.future();
    }
  }

  @Test
  void a_query_asked_again_while_or_after_it_is_embedded_is_embedded_once() {
    Model model = new Model();
    QueryVectors vectors = new QueryVectors(model);

    Future<float[]> first = vectors.embedQuery("How long is delivery?");
    Future<float[]> meanwhile = vectors.embedQuery("How long is delivery?");
    float[] made = new float[384];
    model.pending.get(0).complete(made);
    Future<float[]> after = vectors.embedQuery("How long is delivery?");

    assertThat(model.queries).containsExactly("How long is delivery?");
    assertThat(List.of(first.result(), meanwhile.result(), after.result())).allMatch(v -> v == made);
  }

  @Test
  void a_failed_embedding_is_not_kept_so_the_next_search_asks_the_model_again() {
    Model model = new Model();
    QueryVectors vectors = new QueryVectors(model);

    Future<float[]> failed = vectors.embedQuery("refunds");
    model.pending.get(0).fail("the API is down");
    vectors.embedQuery("refunds");

    assertThat(failed.failed()).isTrue();
    assertThat(model.queries).containsExactly("refunds", "refunds");
  }

  @Test
  void the_least_recently_used_vectors_go_beyond_the_bound_and_documents_are_never_kept() {
    Model model = new Model();
    QueryVectors vectors = new QueryVectors(model);
    int fit = QueryVectors.MAX_FLOATS / 384;

    for (int i = 0; i <= fit; i++) {
      vectors.embedQuery("question " + i);
      model.pending.get(i).complete(new float[384]);
    }
    vectors.embedQuery("question " + fit);
    vectors.embedQuery("question 0");
    vectors.embed(List.of("a chunk"));
    vectors.embed(List.of("a chunk"));

    assertThat(vectors.size()).isEqualTo(fit);
    assertThat(model.queries).hasSize(fit + 2).endsWith("question 0");
    assertThat(model.documents).isEqualTo(2);
  }
}
