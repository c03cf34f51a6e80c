package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group commit of the embedded index, with a commit the test holds or breaks. */
class IndexCommitsTest {

  private final Vertx vertx = Vertx.vertx();
  private final WorkerExecutor writers = vertx.createSharedWorkerExecutor("index-commits-test", 2);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void documents_written_while_a_commit_runs_wait_for_the_next_one_and_share_it() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    IndexCommits commits = new IndexCommits(vertx, writers, 0, () -> {
      if (runs.incrementAndGet() == 1) {
        started.countDown();
        release.await();
      }
    });
    Future<Void> first = commits.next();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    Future<Void> second = commits.next();
    Future<Void> third = commits.next();
    Thread.sleep(100);
    assertThat(first.isComplete()).as("its commit is still running").isFalse();
    assertThat(second.isComplete() || third.isComplete()).isFalse();
    release.countDown();
    Future.all(first, second, third).await(10, TimeUnit.SECONDS);
    assertThat(runs.get()).as("the two written meanwhile share the next commit").isEqualTo(2);
    assertThat(commits.count()).isEqualTo(2);
  }

  @Test
  void a_failed_commit_fails_every_document_waiting_for_it_and_the_next_one_runs_again() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    IndexCommits commits = new IndexCommits(vertx, writers, 0, () -> {
      if (runs.incrementAndGet() == 1) {
        throw new IOException("disk full");
      }
    });
    assertThatThrownBy(() -> commits.next().await(10, TimeUnit.SECONDS)).hasMessageContaining("disk full");
    commits.next().await(10, TimeUnit.SECONDS);
    assertThat(runs.get()).isEqualTo(2);
  }

  @Test
  void after_close_no_commit_starts_and_the_waiting_documents_stay_unfinished() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    IndexCommits commits = new IndexCommits(vertx, writers, 60_000, runs::incrementAndGet);
    commits.next().await(10, TimeUnit.SECONDS);
    Future<Void> waiting = commits.next();
    commits.close();
    Thread.sleep(100);
    assertThat(waiting.isComplete()).isFalse();
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void close_completes_only_after_the_running_commit_has_ended() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    IndexCommits commits = new IndexCommits(vertx, writers, 0, () -> {
      started.countDown();
      release.await();
    });
    Future<Void> committed = commits.next();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    Future<Void> closed = commits.close();
    Thread.sleep(100);
    assertThat(closed.isComplete()).as("the writer must not be closed half-way through a commit").isFalse();
    release.countDown();
    closed.await(10, TimeUnit.SECONDS);
    assertThat(committed.isComplete()).isTrue();
    assertThat(commits.close().isComplete()).as("nothing runs any more").isTrue();
  }
}
