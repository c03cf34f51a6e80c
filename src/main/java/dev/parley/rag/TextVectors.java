package dev.parley.rag;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The vectors of the short texts the second stage of a search compares with the question — section headings and
 * the sentences of the best passages — embedded on demand by the model that embedded the passages, and kept: the
 * last {@link #MAX_ENTRIES} used (about 1.6 KB each with the local model, so at most about 13 MB), per model. A
 * text is the same vector for every bot, so nothing is invalidated when documents change; a text not asked for
 * again leaves the cache. Thread-safe.
 */
final class TextVectors {

  /** How many vectors are kept. */
  static final int MAX_ENTRIES = 8_192;

  private final int maxEntries;
  private final Map<String, float[]> cache;

  TextVectors() {
    this(MAX_ENTRIES);
  }

  TextVectors(int maxEntries) {
    this.maxEntries = maxEntries;
    this.cache = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
        return size() > TextVectors.this.maxEntries;
      }
    };
  }

  /** The vectors of {@code texts} by {@code embedder}, in order; those not kept are embedded, in batches. */
  Future<List<float[]>> of(Embedder embedder, List<String> texts) {
    List<String> missing = new ArrayList<>();
    synchronized (cache) {
      for (String text : new LinkedHashSet<>(texts)) {
        if (!cache.containsKey(key(embedder, text))) {
          missing.add(text);
        }
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture(lookUp(embedder, texts, Map.of()));
    }
    List<Future<List<float[]>>> batches = new ArrayList<>();
    int batch = Math.max(1, embedder.batch());
    for (int from = 0; from < missing.size(); from += batch) {
      batches.add(embedder.embedNow(missing.subList(from, Math.min(missing.size(), from + batch))));
    }
    return Future.all(new ArrayList<>(batches)).map(all -> {
      Map<String, float[]> fresh = new LinkedHashMap<>();
      int i = 0;
      for (Future<List<float[]>> done : batches) {
        for (float[] vector : done.result()) {
          fresh.put(missing.get(i++), vector);
        }
      }
      synchronized (cache) {
        fresh.forEach((text, vector) -> cache.put(key(embedder, text), vector));
      }
      return lookUp(embedder, texts, fresh);
    });
  }

  /** How many vectors are kept now. */
  int size() {
    synchronized (cache) {
      return cache.size();
    }
  }

  private List<float[]> lookUp(Embedder embedder, List<String> texts, Map<String, float[]> fresh) {
    List<float[]> out = new ArrayList<>(texts.size());
    synchronized (cache) {
      for (String text : texts) {
        float[] v = fresh.get(text);
        out.add(v != null ? v : cache.get(key(embedder, text)));
      }
    }
    return out;
  }

  private static String key(Embedder embedder, String text) {
    return embedder.model() + '\n' + text;
  }

  /** The cosine of two unit vectors (0 when either is missing or their dimensions differ). */
  static double cosine(float[] a, float[] b) {
    if (a == null || b == null || a.length != b.length) {
      return 0;
    }
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }
}
