package dev.parley.rag;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where a bot's chunks are indexed for retrieval: the embedded Lucene index
 * ({@code rag.store = "lucene"}, default) or Qdrant ({@code "qdrant"}). Every search is filtered
 * by bot inside the store. Vectors are kept per embedding model ({@code model}), so a bot's
 * documents can be re-embedded with another model while the old vectors still exist; a search
 * sees only the vectors of the model it names. Methods never block the caller's thread.
 */
interface VectorStore {

  /**
   * Replaces every chunk of the document with {@code entries}, embedded with {@code model}. The chunks may be
   * durable and searched only after {@link #committed()}.
   */
  Future<Void> replaceDocument(String botId, String documentId, String documentName, String model,
      List<KnowledgeIndex.Entry> entries);

  /**
   * Completes once every document replaced before the call is durable and searched. The embedded index commits
   * the documents written meanwhile together ({@link IndexCommits}); Qdrant's writes are durable when they return.
   */
  default Future<Void> committed() {
    return Future.succeededFuture();
  }

  /** Removes the document's chunks, whatever model embedded them. */
  Future<Void> deleteDocument(String documentId);

  /** Removes every chunk of the bot. */
  Future<Void> deleteBot(String botId);

  /** How many chunks the bot has. */
  Future<Integer> count(String botId);

  /**
   * The best {@code topK} chunks of the bot whose cosine similarity to {@code vector} is at least
   * {@code minScore}, ranked by {@code mode} (hybrid fuses the vector and BM25 rankings by
   * reciprocal rank). {@code vector} is null in BM25 mode.
   */
  Future<List<KnowledgeIndex.Hit>> search(String botId, String model, String query, float[] vector, int topK,
      double minScore, KnowledgeIndex.Mode mode);

  /** A short description for the health check, such as {@code lucene} or {@code qdrant 127.0.0.1:6334}. */
  String describe();

  /** Releases the store's resources. */
  Future<Void> close();
}
