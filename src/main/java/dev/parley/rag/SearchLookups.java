package dev.parley.rag;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What every search asks the database, kept in memory: the embedding models a bot's vectors were built with, and
 * the page URL of a document. A search used to ask both of SQL (one query for the models, one per distinct
 * document among the hits), each a hand-off to a database thread and back. A document's URL never changes, so it
 * is kept until the document is deleted ({@value #MAX_URLS} at most, the least recently used dropped). A bot's
 * models change when a document becomes ready, fails, or is deleted: {@link #modelsChanged()} forgets every bot's
 * (any node's such change is also a {@code parley.events.document.changed} event), and a read that raced a change
 * is not kept. Safe from any thread.
 */
final class SearchLookups {

  static final int MAX_URLS = 20_000;
  static final int MAX_BOTS = 10_000;

  private final Map<String, Map<String, Integer>> models = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Map<String, Integer>> eldest) {
      return size() > MAX_BOTS;
    }
  };
  private final Map<String, Optional<String>> urls = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Optional<String>> eldest) {
      return size() > MAX_URLS;
    }
  };
  private long generation;
  /** Told after every change of the models (the node's {@code LocalKnowledge} forgets its empty bots). */
  private final Runnable changed;

  SearchLookups() {
    this(() -> { });
  }

  SearchLookups(Runnable changed) {
    this.changed = changed;
  }

  /** The bot's models, from memory or from {@code read} (kept unless a change raced it). */
  Future<Map<String, Integer>> models(String botId, Supplier<Future<Map<String, Integer>>> read) {
    long started;
    synchronized (this) {
      Map<String, Integer> known = models.get(botId);
      if (known != null) {
        return Future.succeededFuture(known);
      }
      started = generation;
    }
    return read.get().onSuccess(found -> {
      synchronized (this) {
        if (generation == started) {
          models.put(botId, Collections.unmodifiableMap(new LinkedHashMap<>(found)));
        }
      }
    });
  }

  /** A document became ready or failed, or was deleted: every bot's models are read again. */
  synchronized void modelsChanged() {
    generation++;
    models.clear();
    changed.run();
  }

  /** The known URLs among {@code ids} (empty for a document without one); the others are missing. */
  synchronized Map<String, Optional<String>> urls(Collection<String> ids) {
    Map<String, Optional<String>> known = new HashMap<>();
    for (String id : ids) {
      Optional<String> url = urls.get(id);
      if (url != null) {
        known.put(id, url);
      }
    }
    return known;
  }

  synchronized void url(String id, String url) {
    urls.put(id, Optional.ofNullable(url));
  }

  synchronized void deleted(String id) {
    urls.remove(id);
    generation++;
    models.clear();
    changed.run();
  }
}
