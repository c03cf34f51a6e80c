package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The queue's own rules, with a worker that finishes documents when the test says so. */
class IngestionQueueTest {

  /** Records each run and leaves it pending. */
  private static final class Held implements IngestionQueue.Worker {
    final Map<String, Promise<Void>> running = new LinkedHashMap<>();
    final Map<String, Runnable> handedOver = new LinkedHashMap<>();
    final List<String> reembedded = new ArrayList<>();

    @Override
    public Future<Void> run(String id, boolean reembed, Runnable handedOver) {
      Promise<Void> done = Promise.promise();
      running.put(id, done);
      this.handedOver.put(id, handedOver);
      if (reembed) {
        reembedded.add(id);
      }
      return done.future();
    }
  }

  @Test
  void at_most_the_concurrency_runs_at_once_and_the_rest_wait_in_order() {
    IngestionQueue queue = new IngestionQueue(null, null, 2);
    Held worker = new Held();
    queue.runWith(worker);
    for (String id : List.of("a", "b", "c", "d")) {
      queue.enqueue(id);
    }
    queue.enqueue("a");
    assertThat(worker.running).containsOnlyKeys("a", "b");
    worker.running.get("b").complete();
    assertThat(worker.running).containsOnlyKeys("a", "b", "c");
    worker.running.get("a").fail("broken");
    assertThat(worker.running).containsOnlyKeys("a", "b", "c", "d");
    assertThat(worker.reembedded).isEmpty();
  }

  @Test
  void a_document_deleted_while_queued_is_dropped_until_it_is_queued_again() {
    IngestionQueue queue = new IngestionQueue(null, null, 1);
    Held worker = new Held();
    queue.runWith(worker);
    queue.cancel("never-queued");
    assertThat(queue.cancelled("never-queued")).isFalse();
    queue.enqueue("a");
    queue.cancel("a");
    assertThat(queue.dropped("a", "bot")).isTrue();
    assertThatThrownBy(() -> queue.checkCancelled("a", "bot")).isInstanceOf(IngestionQueue.Cancelled.class);
    worker.running.get("a").complete();
    assertThat(queue.cancelled("a")).as("forgotten once its run ended").isFalse();
    queue.forgetBot("gone");
    assertThat(queue.dropped("b", "gone")).isTrue();
  }

  @Test
  void a_document_waiting_for_its_index_commit_frees_its_place_for_the_next_one() {
    IngestionQueue queue = new IngestionQueue(null, null, 1);
    Held worker = new Held();
    queue.runWith(worker);
    for (String id : List.of("a", "b", "c")) {
      queue.enqueue(id);
    }
    assertThat(worker.running).containsOnlyKeys("a");
    worker.handedOver.get("a").run();
    worker.handedOver.get("a").run();
    assertThat(worker.running).as("one place freed once").containsOnlyKeys("a", "b");
    queue.enqueue("a");
    queue.cancel("a");
    assertThat(queue.dropped("a", "bot")).as("still queued until its commit").isTrue();
    worker.running.get("a").complete();
    assertThat(worker.running).as("its end frees no second place").containsOnlyKeys("a", "b");
    worker.running.get("b").complete();
    assertThat(worker.running).containsOnlyKeys("a", "b", "c");
  }
}
