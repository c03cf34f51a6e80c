package dev.parley.rag;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * The bots' knowledge bases as {@link RagVerticle} serves them: documents come in through {@link DocumentIntake},
 * are ingested in the background in the order of the {@link IngestionQueue} (extract → chunk → embed → index, by
 * {@link Ingestion}), and are searched through {@link Retrieval}. Runs on one verticle context; every slow step
 * goes to a bounded worker pool.
 */
final class KnowledgeBase {

  private final DocumentIntake intake;
  private final IngestionQueue queue;
  private final Retrieval retrieval;

  KnowledgeBase(DocumentIntake intake, IngestionQueue queue, Retrieval retrieval) {
    this.intake = intake;
    this.queue = queue;
    this.retrieval = retrieval;
  }

  /** Queues the documents a previous run left pending or processing. */
  Future<Void> resume() {
    return queue.resume();
  }

  Future<JsonObject> add(JsonObject body) {
    return intake.add(body);
  }

  Future<JsonArray> addFiles(String botId, JsonArray files) {
    return intake.addFiles(botId, files);
  }

  /**
   * The bot's documents {@code query} selects, with its index status: {@code {documents, next_cursor, counts: {total,
   * pending, processing, ready, failed}, as_of, embedding_model, indexed_models, reindex_needed, reindex_documents}}.
   * {@code as_of} is this node's time before the read: a later {@code updated_since} of it misses no change made
   * after it on this node.
   */
  Future<JsonObject> list(String botId, DocumentQuery query) {
    return Future.all(intake.list(botId, query), queue.status(botId))
        .map(both -> both.<JsonObject>resultAt(0).mergeIn(both.<JsonObject>resultAt(1)));
  }

  Future<JsonObject> get(String botId, String id) {
    return intake.get(botId, id);
  }

  Future<Void> delete(String botId, String id) {
    return intake.delete(botId, id);
  }

  Future<JsonObject> retry(String botId, String id) {
    return intake.retry(botId, id);
  }

  Future<JsonObject> sync(String botId, String id) {
    return intake.sync(botId, id);
  }

  Future<Void> deleteBot(String botId) {
    return intake.deleteBot(botId);
  }

  Future<Integer> syncDue(Function<String, Future<JsonObject>> settings) {
    return queue.syncDue(settings);
  }

  Future<JsonObject> status(String botId) {
    return queue.status(botId);
  }

  Future<JsonObject> reindex(String botId, boolean all) {
    return queue.reindex(botId, all);
  }

  /** Whether the bot has a ready document to search. */
  Future<Boolean> hasReady(String botId) {
    return retrieval.hasReady(botId);
  }

  Future<JsonObject> search(JsonObject body) {
    return retrieval.search(body);
  }
}
