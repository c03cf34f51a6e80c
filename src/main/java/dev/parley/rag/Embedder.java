package dev.parley.rag;

import io.vertx.core.Future;
import java.util.List;

/**
 * An embedding model: the in-process local model or an OpenAI-compatible API. Vectors come back
 * with unit length, in the order of the texts. Failures are {@link dev.parley.common.ParleyException}s
 * whose message is safe to show an operator (it becomes a failed document's reason). Methods
 * never block the caller's thread.
 */
interface Embedder {

  /**
   * The model's identity, recorded with every document it embedded and naming its vectors in the
   * index: {@link LocalEmbeddings#MODEL}, or {@code openai:<model>} ({@code openai:<model>@<dimensions>}
   * when a dimension is asked for).
   */
  String model();

  /** How many texts go in one call (the progress step of an ingestion). */
  int batch();

  /** Embeds document chunks, at most {@link #batch()} of them. */
  Future<List<float[]>> embed(List<String> texts);

  /** Embeds a search query, within the short time a search may take. */
  Future<float[]> embedQuery(String text);

  /**
   * Embeds short texts a visitor's turn waits for (the headings and sentences a search compares with the question):
   * where the model is shared with ingestion, ahead of the document chunks waiting for it.
   */
  default Future<List<float[]>> embedNow(List<String> texts) {
    return embed(texts);
  }
}
