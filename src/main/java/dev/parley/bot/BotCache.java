package dev.parley.bot;

import dev.parley.common.LocalBots;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A short-lived cache of bots for chat turns, so a turn costs no SQL read for its bot.
 * Used from one verticle context only; {@code parley.events.bot.changed} evicts entries
 * everywhere, the TTL bounds staleness when an event is missed. Each bot read is also held for the node's other
 * verticles ({@link LocalBots}) while its entry here stands: a read that a change overtook (its entry was evicted
 * while it ran) is not.
 */
final class BotCache {

  private record Entry(Future<JsonObject> bot, long expiresAt) {
  }

  private static final int MAX_ENTRIES = 10_000;

  private final long ttlMs;
  private final LocalBots local;
  private final Map<String, Entry> entries = new HashMap<>();

  BotCache(long ttlMs, LocalBots local) {
    this.ttlMs = ttlMs;
    this.local = local;
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
    bot.onSuccess(read -> {
      if (entries.get(id) == fresh) {
        local.put(id, read, fresh.expiresAt());
      }
    });
    return bot;
  }

  void evict(String id) {
    entries.remove(id);
    local.evict(id);
  }
}
