package dev.parley.rag;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An embedding model whose search queries are embedded once: the vectors of recent queries are kept (the least
 * recently used dropped beyond {@value #MAX_FLOATS} floats, 1,024 queries of the local model, 1.5 MB), and a query
 * asked again while it is being embedded waits for that call instead of making another. A chat turn embeds its
 * message once although two steps search with it (the stored answers' match, {@link StoredAnswers}, and retrieval,
 * {@link Retrieval}: both embed {@link SearchQuery#embedded} of the message), and visitors ask the same questions.
 * A failed embedding is not kept. Documents ({@link #embed}) go straight to the model. Safe from any thread.
 */
final class QueryVectors implements Embedder {

  /** The most floats kept: 1,024 vectors of 384 dimensions. */
  static final int MAX_FLOATS = 1024 * 384;
  /** Longer queries are not kept ({@link SearchQuery#embedded} makes at most this many characters and a few). */
  static final int MAX_KEPT_CHARS = SearchQuery.EMBEDDED_CHARS + 8;

  private final Embedder model;
  private final Map<String, float[]> kept = new LinkedHashMap<>(64, 0.75f, true);
  private final Map<String, Future<float[]>> running = new HashMap<>();
  private long floats;

  QueryVectors(Embedder model) {
    this.model = model;
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
    return model.embed(texts);
  }

  @Override
  public Future<List<float[]>> embedNow(List<String> texts) {
    return model.embedNow(texts);
  }

  @Override
  public Future<float[]> embedQuery(String text) {
    if (text.length() > MAX_KEPT_CHARS) {
      return model.embedQuery(text);
    }
    synchronized (this) {
      float[] known = kept.get(text);
      if (known != null) {
        return Future.succeededFuture(known);
      }
      Future<float[]> pending = running.get(text);
      if (pending != null) {
        return pending;
      }
    }
    Future<float[]> embedding = model.embedQuery(text);
    synchronized (this) {
      if (!embedding.isComplete()) {
        running.put(text, embedding);
      }
    }
    return embedding.onComplete(done -> {
      synchronized (this) {
        running.remove(text);
        if (done.succeeded()) {
          keep(text, done.result());
        }
      }
    });
  }

  /** How many query vectors are kept (for the tests). */
  synchronized int size() {
    return kept.size();
  }

  private void keep(String text, float[] vector) {
    float[] before = kept.put(text, vector);
    floats += vector.length - (before == null ? 0 : before.length);
    Iterator<float[]> eldest = kept.values().iterator();
    while (floats > MAX_FLOATS && eldest.hasNext()) {
      floats -= eldest.next().length;
      eldest.remove();
    }
  }
}
