package dev.parley.rag;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.util.List;

/** {@link VectorStore} on the embedded {@link KnowledgeIndex}: vectors and BM25 text in one Lucene index. */
final class LuceneStore implements VectorStore {

  private final Vertx vertx;
  private final KnowledgeIndex index;
  private final WorkerExecutor writers;
  private final WorkerExecutor readers;
  private final IndexCommits commits;

  /** {@code commitIntervalMs}: the least time between two group commits of ingested documents. */
  LuceneStore(Vertx vertx, KnowledgeIndex index, WorkerExecutor writers, WorkerExecutor readers, long commitIntervalMs) {
    this.vertx = vertx;
    this.index = index;
    this.writers = writers;
    this.readers = readers;
    this.commits = new IndexCommits(vertx, writers, commitIntervalMs, index::commit);
  }

  @Override
  public Future<Void> replaceDocument(String botId, String documentId, String documentName, String model,
      List<KnowledgeIndex.Entry> entries) {
    return writers.executeBlocking(() -> {
      index.write(botId, documentId, documentName, KnowledgeIndex.vectorField(model), entries);
      return null;
    }, false);
  }

  @Override
  public Future<Void> committed() {
    return commits.next();
  }

  @Override
  public Future<Void> deleteDocument(String documentId) {
    return writers.executeBlocking(() -> {
      index.deleteDocument(documentId);
      return null;
    }, false);
  }

  @Override
  public Future<Void> deleteBot(String botId) {
    return writers.executeBlocking(() -> {
      index.deleteBot(botId);
      return null;
    }, false);
  }

  @Override
  public Future<Integer> count(String botId) {
    return readers.executeBlocking(() -> index.count(botId), false);
  }

  @Override
  public Future<List<KnowledgeIndex.Hit>> search(String botId, String model, String query, float[] vector, int topK,
      double minScore, KnowledgeIndex.Mode mode) {
    if (Context.isOnWorkerThread()) { // a search worker already (SearchVerticle): no hand-off to another
      try {
        return Future.succeededFuture(index.search(botId, KnowledgeIndex.vectorField(model), query, vector, topK,
            minScore, mode));
      } catch (IOException | RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    return readers.executeBlocking(() -> index.search(botId, KnowledgeIndex.vectorField(model), query, vector, topK,
        minScore, mode), false);
  }

  @Override
  public String describe() {
    return "lucene";
  }

  @Override
  public Future<Void> close() {
    return commits.close().eventually(() -> vertx.executeBlocking(() -> {
      index.release();
      return null;
    }));
  }
}
