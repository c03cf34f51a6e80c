package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chunks of several documents share the model's calls, with a model the test answers by hand. */
class EmbeddingBatcherTest {

  /** Holds each call until the test answers it; a text's vector is {length of the text}. */
  private static final class Held implements Embedder {
    final List<List<String>> calls = new ArrayList<>();
    final List<Promise<List<float[]>>> answers = new ArrayList<>();

    @Override
    public String model() {
      return "held";
    }

    @Override
    public int batch() {
      return 4;
    }

    @Override
    public Future<List<float[]>> embed(List<String> texts) {
      calls.add(texts);
      Promise<List<float[]>> answer = Promise.promise();
      answers.add(answer);
      return answer.future();
    }

    @Override
    public Future<float[]> embedQuery(String text) {
      return Future.succeededFuture(new float[] {text.length()});
    }

    void answer(int call) {
      List<float[]> vectors = new ArrayList<>();
      for (String text : calls.get(call)) {
        if (text.contains("bad")) {
          answers.get(call).fail(new ParleyException(ErrorCodes.BAD_GATEWAY, "embeddings_failed", "bad text"));
          return;
        }
        vectors.add(new float[] {text.length()});
      }
      answers.get(call).complete(vectors);
    }
  }

  @Test
  void documents_waiting_while_a_call_runs_share_the_next_call_up_to_the_batch_each_getting_its_own_vectors() {
    Held model = new Held();
    EmbeddingBatcher batcher = new EmbeddingBatcher(model, 1);
    Future<List<float[]>> first = batcher.embed(List.of("a"));
    Future<List<float[]>> second = batcher.embed(List.of("bb"));
    Future<List<float[]>> third = batcher.embed(List.of("ccc", "dddd"));
    Future<List<float[]>> fourth = batcher.embed(List.of("eeeee"));
    Future<List<float[]>> fifth = batcher.embed(List.of("ffffff", "g"));
    assertThat(model.calls).as("one call at a time").containsExactly(List.of("a"));

    model.answer(0);
    assertThat(first.result()).extracting(v -> v[0]).containsExactly(1f);
    assertThat(model.calls.get(1)).as("the waiting texts, in order, up to the batch of 4")
        .containsExactly("bb", "ccc", "dddd", "eeeee");

    model.answer(1);
    assertThat(second.result()).extracting(v -> v[0]).containsExactly(2f);
    assertThat(third.result()).extracting(v -> v[0]).containsExactly(3f, 4f);
    assertThat(fourth.result()).extracting(v -> v[0]).containsExactly(5f);
    assertThat(model.calls.get(2)).containsExactly("ffffff", "g");
    model.answer(2);
    assertThat(fifth.result()).extracting(v -> v[0]).containsExactly(6f, 1f);
    assertThat(batcher.calls()).as("five documents, three calls").isEqualTo(3);
  }

  @Test
  void a_shared_call_that_fails_is_tried_again_per_document_and_fails_only_the_bad_one() {
    Held model = new Held();
    EmbeddingBatcher batcher = new EmbeddingBatcher(model, 1);
    Future<List<float[]>> running = batcher.embed(List.of("x"));
    Future<List<float[]>> good = batcher.embed(List.of("good"));
    Future<List<float[]>> bad = batcher.embed(List.of("a bad one"));
    model.answer(0);
    assertThat(running.succeeded()).isTrue();
    assertThat(model.calls.get(1)).containsExactly("good", "a bad one");

    model.answer(1);
    assertThat(model.calls.subList(2, 4)).as("each document alone").containsExactly(List.of("good"), List.of("a bad one"));
    Future<List<float[]>> later = batcher.embed(List.of("later"));
    assertThat(model.calls).as("the retries hold the model's place").hasSize(4);
    model.answer(2);
    model.answer(3);
    assertThat(good.result()).extracting(v -> v[0]).containsExactly(4f);
    assertThat(bad.failed()).isTrue();
    assertThat(bad.cause()).hasMessage("bad text");
    assertThat(model.calls.get(4)).containsExactly("later");
    model.answer(4);
    assertThat(later.succeeded()).isTrue();
  }

  @Test
  void a_document_larger_than_the_batch_goes_alone_and_calls_run_up_to_the_parallel_limit() {
    Held model = new Held();
    EmbeddingBatcher batcher = new EmbeddingBatcher(model, 2);
    batcher.embed(List.of("1", "2", "3", "4", "5"));
    batcher.embed(List.of("6"));
    batcher.embed(List.of("7"));
    assertThat(model.calls).as("two calls at once").containsExactly(List.of("1", "2", "3", "4", "5"), List.of("6"));
    model.answer(1);
    assertThat(model.calls.get(2)).containsExactly("7");
  }
}
