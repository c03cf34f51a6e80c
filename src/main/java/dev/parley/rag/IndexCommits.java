package dev.parley.rag;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;

/**
 * Group commit of the embedded index: the documents being ingested write their chunks as soon as they are
 * embedded, and one Lucene commit (segment files fsynced, the searcher refreshed) then holds every write made
 * since the last one. A commit starts when someone waits for one, at most once per {@code interval} ms
 * ({@code rag.commit_interval_ms}), and never two at once; a commit and a refresh per document were most of the
 * cost of ingesting small documents. {@link #next()} completes after a commit that started after it was called,
 * so a document marked ready after it is durable and searched; a failed commit fails every waiter.
 */
final class IndexCommits {

  /** The commit itself; blocks. */
  @FunctionalInterface
  interface Commit {
    void run() throws Exception;
  }

  private final Vertx vertx;
  private final WorkerExecutor writers;
  private final Commit commit;
  private final long interval;
  private List<Promise<Void>> waiting = new ArrayList<>();
  private boolean running;
  private boolean closed;
  private long timer = -1;
  private long lastEnded = Long.MIN_VALUE / 2;
  private long commits;
  /** Completed when the running commit ends (what {@link #close} waits for). */
  private Promise<Void> ended = Promise.promise();

  IndexCommits(Vertx vertx, WorkerExecutor writers, long intervalMs, Commit commit) {
    this.vertx = vertx;
    this.writers = writers;
    this.commit = commit;
    this.interval = Math.max(0, intervalMs);
  }

  /** Completes once a commit that started after this call has ended (the writes made before it are in). */
  synchronized Future<Void> next() {
    Promise<Void> promise = Promise.promise();
    waiting.add(promise);
    schedule();
    return promise.future();
  }

  /**
   * No more commits: the index is closing (closing commits what was written). The documents still waiting stay
   * processing, so the next start ingests them again. Completes when no commit runs any more: closing the writer
   * while one was half-way (prepared, not yet committed) failed the close.
   */
  synchronized Future<Void> close() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return running ? ended.future() : Future.succeededFuture();
  }

  /** How many commits ran: what the tests and the benchmark compare with the documents ingested. */
  synchronized long count() {
    return commits;
  }

  private void schedule() {
    if (running || timer >= 0 || closed || waiting.isEmpty()) {
      return;
    }
    long wait = lastEnded + interval - System.currentTimeMillis();
    if (wait > 0) {
      timer = vertx.setTimer(wait, t -> {
        synchronized (this) {
          timer = -1;
          schedule();
        }
      });
      return;
    }
    List<Promise<Void>> batch = waiting;
    waiting = new ArrayList<>();
    running = true;
    Promise<Void> ending = ended;
    writers.executeBlocking(() -> {
      commit.run();
      return null;
    }, false).onComplete(done -> {
      synchronized (this) {
        running = false;
        commits++;
        lastEnded = System.currentTimeMillis();
        ended = Promise.promise();
        schedule();
      }
      for (Promise<Void> promise : batch) {
        if (done.succeeded()) {
          promise.complete();
        } else {
          promise.fail(done.cause());
        }
      }
      ending.complete();
    });
  }
}
