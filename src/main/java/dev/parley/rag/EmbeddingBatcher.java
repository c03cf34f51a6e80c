package dev.parley.rag;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The ingestion's embedding model, with the chunks of the documents being ingested embedded in shared batches: a
 * document's texts wait while {@code parallel} calls are running, and the next call takes the waiting texts of
 * several documents, in order, up to the model's {@link Embedder#batch()}. Small documents (one chunk each) were
 * embedded one call each, at two thirds of the model's batched rate. What waits is bounded by the callers: each
 * document asks for one batch at a time and at most {@code ingest_concurrency} documents are embedded at once.
 * A shared call that fails is tried again per document, so one document's bad text fails only that document.
 * Queries ({@link #embedQuery}) go straight to the model. Safe from any thread.
 */
final class EmbeddingBatcher implements Embedder {

  private record Request(List<String> texts, Promise<List<float[]>> promise) {
  }

  private final Embedder model;
  private final int parallel;
  private final ArrayDeque<Request> waiting = new ArrayDeque<>();
  private int running;
  private long calls;

  /** {@code parallel}: how many calls to the model may run at once (1 for the in-process model, which uses every core). */
  EmbeddingBatcher(Embedder model, int parallel) {
    this.model = model;
    this.parallel = Math.max(1, parallel);
  }

  @Override
  public String model() {
    return model.model();
  }

  @Override
  public int batch() {
    return model.batch();
  }

  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    if (texts.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Promise<List<float[]>> promise = Promise.promise();
    synchronized (this) {
      waiting.add(new Request(List.copyOf(texts), promise));
    }
    drain();
    return promise.future();
  }

  @Override
  public Future<List<float[]>> embedNow(List<String> texts) {
    return model.embedNow(texts);
  }

  @Override
  public Future<float[]> embedQuery(String text) {
    return model.embedQuery(text);
  }

  /** How many calls the model was given: what the tests compare with the documents embedded. */
  synchronized long calls() {
    return calls;
  }

  private void drain() {
    while (true) {
      List<Request> group = new ArrayList<>();
      synchronized (this) {
        if (running >= parallel || waiting.isEmpty()) {
          return;
        }
        int size = 0;
        while (!waiting.isEmpty() && (group.isEmpty() || size + waiting.peek().texts().size() <= model.batch())) {
          Request next = waiting.poll();
          size += next.texts().size();
          group.add(next);
        }
        running++;
        calls++;
      }
      run(group).onComplete(done -> {
        synchronized (this) {
          running--;
        }
        drain();
      });
    }
  }

  /** One call for the group; if it fails and holds several documents' texts, one call per document. */
  private Future<Void> run(List<Request> group) {
    List<String> texts = new ArrayList<>();
    for (Request r : group) {
      texts.addAll(r.texts());
    }
    Future<List<float[]>> call;
    try {
      call = model.embed(texts);
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    return call.transform(done -> {
      if (done.succeeded() && done.result().size() == texts.size()) {
        int from = 0;
        for (Request r : group) {
          r.promise().complete(done.result().subList(from, from + r.texts().size()));
          from += r.texts().size();
        }
        return Future.succeededFuture();
      }
      Throwable failure = done.succeeded()
          ? new IllegalStateException("The embedding model answered " + done.result().size() + " vectors for "
              + texts.size() + " texts")
          : done.cause();
      if (group.size() == 1) {
        group.get(0).promise().fail(failure);
        return Future.succeededFuture();
      }
      List<Future<List<float[]>>> alone = new ArrayList<>();
      for (Request r : group) {
        Future<List<float[]>> one;
        try {
          one = model.embed(r.texts());
        } catch (RuntimeException e) {
          one = Future.failedFuture(e);
        }
        alone.add(one.onComplete(r.promise()));
      }
      return Future.join(alone).<Void>mapEmpty().recover(some -> Future.succeededFuture());
    });
  }
}
