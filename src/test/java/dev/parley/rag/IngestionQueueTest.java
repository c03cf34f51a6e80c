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
    final Map<String, IngestionQueue.Place> places = new LinkedHashMap<>();
    final List<String> reembedded = new ArrayList<>();

    @Override
    public Future<Void> run(String id, boolean reembed, IngestionQueue.Place place) {
      Promise<Void> done = Promise.promise();
      running.put(id, done);
      places.put(id, place);
      if (reembed) {
        reembedded.add(id);
      }
      return done.future();
    }
  }

  @Test
  void at_most_the_concurrency_runs_at_once_and_the_rest_wait_in_order() {
    IngestionQueue queue = new IngestionQueue(null, null, 2, 16);
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
  void a_document_deleted_while_queued_is_dropped_until_its_run_ends() {
    IngestionQueue queue = new IngestionQueue(null, null, 1, 16);
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
    queue.enqueue("b");
    queue.forgetBot("gone");
    assertThat(queue.dropped("b", "gone")).isTrue();
  }

  @Test
  void a_sync_arriving_while_a_deleted_document_still_runs_does_not_undo_its_deletion() {
    IngestionQueue queue = new IngestionQueue(null, null, 1, 16);
    Held worker = new Held();
    queue.runWith(worker);
    queue.enqueue("a");
    queue.cancel("a");

    queue.enqueue("a");

    assertThat(queue.dropped("a", "bot")).isTrue();
    worker.running.get("a").complete();
    assertThat(queue.cancelled("a")).as("forgotten once its run ended").isFalse();
  }

  @Test
  void a_document_waiting_for_its_index_commit_frees_its_place_for_the_next_one() {
    IngestionQueue queue = new IngestionQueue(null, null, 1, 16);
    Held worker = new Held();
    queue.runWith(worker);
    for (String id : List.of("a", "b", "c")) {
      queue.enqueue(id);
    }
    assertThat(worker.running).containsOnlyKeys("a");
    worker.places.get("a").handedOver();
    worker.places.get("a").handedOver();
    assertThat(worker.running).as("one place freed once").containsOnlyKeys("a", "b");
    queue.enqueue("a");
    queue.cancel("a");
    assertThat(queue.dropped("a", "bot")).as("still queued until its commit").isTrue();
    worker.running.get("a").complete();
    assertThat(worker.running).as("its end frees no second place").containsOnlyKeys("a", "b");
    worker.running.get("b").complete();
    assertThat(worker.running).containsOnlyKeys("a", "b", "c");
  }

  @Test
  void a_document_read_frees_its_reading_place_while_the_chunks_waiting_for_the_model_stay_under_four_batches() {
    IngestionQueue queue = new IngestionQueue(null, null, 1, 2);
    Held worker = new Held();
    queue.runWith(worker);
    for (String id : List.of("a", "b", "c", "d", "e", "f")) {
      queue.enqueue(id);
    }
    assertThat(worker.running).containsOnlyKeys("a");
    worker.places.get("a").read(1);
    assertThat(worker.running).as("the next is read while a waits for the model").containsOnlyKeys("a", "b");
    worker.places.get("b").read(50);
    worker.places.get("b").read(50);
    assertThat(worker.running).as("b counts one batch (2), once").containsOnlyKeys("a", "b", "c");
    worker.places.get("c").read(2);
    worker.places.get("d").read(2);
    assertThat(worker.running).as("a 1 + b 2 + c 2 + d 2 = 7 < 8 chunks").containsOnlyKeys("a", "b", "c", "d", "e");
    worker.places.get("e").read(1);
    assertThat(worker.running).as("8 chunks: four batches wait for the model")
        .containsOnlyKeys("a", "b", "c", "d", "e");
    worker.places.get("b").handedOver();
    assertThat(worker.running).as("b in the index: its chunks no longer count").containsKey("f");
  }

  @Test
  void a_deleted_bot_is_remembered_only_while_documents_are_in_flight() {
    IngestionQueue queue = new IngestionQueue(null, null, 1, 16);
    Held worker = new Held();
    queue.runWith(worker);
    for (int i = 0; i < 1_000; i++) {
      queue.forgetBot("deleted-" + i);
    }
    assertThat(queue.dropped("any", "deleted-7")).as("nothing was in flight: nothing to remember").isFalse();
    queue.enqueue("a");
    queue.forgetBot("owner-of-a");
    assertThat(queue.dropped("a", "owner-of-a")).isTrue();
    worker.running.get("a").complete();
    assertThat(queue.dropped("a", "owner-of-a")).as("forgotten once its last document ended").isFalse();
  }
}
