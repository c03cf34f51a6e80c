package dev.parley.bot;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A short-lived cache of bots for chat turns, so a turn costs no SQL read for its bot.
 * Used from one verticle context only; {@code parley.events.bot.changed} evicts entries
 * everywhere, the TTL bounds staleness when an event is missed.
 */
final class BotCache {

  private record Entry(Future<JsonObject> bot, long expiresAt) {
  }

  private static final int MAX_ENTRIES = 10_000;

  private final long ttlMs;
  private final Map<String, Entry> entries = new HashMap<>();

  BotCache(long ttlMs) {
    this.ttlMs = ttlMs;
  }

  Future<JsonObject> get(String id, Supplier<Future<JsonObject>> loader) {
    long now = System.currentTimeMillis();
    Entry entry = entries.get(id);
    if (entry != null && entry.expiresAt > now && !entry.bot.failed()) {
      return entry.bot;
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    Future<JsonObject> bot = loader.get();
    Entry fresh = new Entry(bot, now + ttlMs);
    entries.put(id, fresh);
    bot.onFailure(failed -> entries.remove(id, fresh));
    return bot;
  }

  void evict(String id) {
    entries.remove(id);
  }
}
