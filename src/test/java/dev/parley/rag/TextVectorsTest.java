package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Headings and sentences embedded on demand for the second stage: each once, at most the bound kept. */
class TextVectorsTest {

  /** Counts what it embeds; a text's vector is its length along the first axis. */
  private static final class Counting implements Embedder {
    final List<String> embedded = new ArrayList<>();

    @Override
    public String model() {
      return "counting";
    }

    @Override
    public int batch() {
      return 2;
    }

    @Override
    public Future<List<float[]>> embed(List<String> texts) {
      embedded.addAll(texts);
      return Future.succeededFuture(texts.stream().map(t -> new float[] {t.length(), 0}).toList());
    }

    @Override
    public Future<float[]> embedQuery(String text) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void a_text_is_embedded_once_and_given_back_in_the_order_asked() {
    Counting model = new Counting();
    TextVectors vectors = new TextVectors();
    List<float[]> first = vectors.of(model, List.of("abc", "a", "abc", "ab")).result();
    assertThat(first).extracting(v -> v[0]).containsExactly(3f, 1f, 3f, 2f);
    assertThat(vectors.of(model, List.of("ab", "abcd")).result()).extracting(v -> v[0]).containsExactly(2f, 4f);
    assertThat(model.embedded).containsExactly("abc", "a", "ab", "abcd");
  }

  @Test
  void at_most_the_bound_is_kept_the_least_recently_used_leaving_first() {
    Counting model = new Counting();
    TextVectors vectors = new TextVectors(2);
    vectors.of(model, List.of("a", "b")).result();
    vectors.of(model, List.of("a")).result();
    vectors.of(model, List.of("c")).result();
    assertThat(vectors.size()).isEqualTo(2);
    vectors.of(model, List.of("a", "b")).result();
    assertThat(model.embedded).containsExactly("a", "b", "c", "b");
  }

  @Test
  void the_cosine_of_vectors_of_other_sizes_or_missing_is_zero() {
    assertThat(TextVectors.cosine(new float[] {1, 0}, new float[] {0.6f, 0.8f})).isEqualTo(0.6f, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(TextVectors.cosine(new float[] {1, 0}, new float[] {1, 0, 0})).isZero();
    assertThat(TextVectors.cosine(null, new float[] {1})).isZero();
  }
}
