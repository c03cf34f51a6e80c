package dev.parley.rag;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Group commit for one kind of write: what is asked for in the same tick, or while a write runs, goes to the
 * database together in the next one (one transaction for many documents, where each took its own), never more than
 * one at once and at most {@code maxGroup} items each. A group that fails is written again one item at a time, so
 * one document's bad write fails only that document. Safe from any thread; the writes start on {@code context}.
 */
final class GroupedWrites<T> {

  private record Waiting<T>(T item, Promise<Void> promise) {
  }

  private final Context context;
  private final int maxGroup;
  private final Function<List<T>, Future<Void>> write;
  private List<Waiting<T>> waiting = new ArrayList<>();
  private boolean running;
  private boolean scheduled;
  private long writes;

  GroupedWrites(Context context, int maxGroup, Function<List<T>, Future<Void>> write) {
    this.context = context;
    this.maxGroup = Math.max(1, maxGroup);
    this.write = write;
  }

  /** Completes once the item is written, with the others of its group. */
  synchronized Future<Void> write(T item) {
    Promise<Void> promise = Promise.promise();
    waiting.add(new Waiting<>(item, promise));
    schedule();
    return promise.future();
  }

  /** How many writes ran (a group's retries one by one included): what the tests compare with the items. */
  synchronized long writes() {
    return writes;
  }

  /** Starts the next write on the next tick, so that everything asked for in this one is in it. */
  private void schedule() {
    if (running || scheduled || waiting.isEmpty()) {
      return;
    }
    scheduled = true;
    context.runOnContext(v -> next());
  }

  private void next() {
    List<Waiting<T>> group;
    synchronized (this) {
      scheduled = false;
      if (running || waiting.isEmpty()) {
        return;
      }
      int size = Math.min(maxGroup, waiting.size());
      group = new ArrayList<>(waiting.subList(0, size));
      waiting = new ArrayList<>(waiting.subList(size, waiting.size()));
      running = true;
      writes++;
    }
    run(group).onComplete(done -> {
      synchronized (this) {
        running = false;
        schedule();
      }
    });
  }

  /** One write for the group; if it fails and holds several items, one write per item. */
  private Future<Void> run(List<Waiting<T>> group) {
    return call(group.stream().map(Waiting::item).toList()).transform(done -> {
      if (done.succeeded() || group.size() == 1) {
        for (Waiting<T> w : group) {
          if (done.succeeded()) {
            w.promise().complete();
          } else {
            w.promise().fail(done.cause());
          }
        }
        return Future.succeededFuture();
      }
      List<Future<Void>> alone = new ArrayList<>();
      for (Waiting<T> w : group) {
        synchronized (this) {
          writes++;
        }
        alone.add(call(List.of(w.item())).onComplete(w.promise()));
      }
      return Future.join(alone).<Void>mapEmpty().recover(some -> Future.succeededFuture());
    });
  }

  private Future<Void> call(List<T> items) {
    try {
      return write.apply(items);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
