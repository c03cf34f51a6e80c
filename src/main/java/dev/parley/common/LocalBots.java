package dev.parley.common;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bots that this node's bot component holds in its chat cache, for the node's other verticles to read without a
 * request ({@link BotClient#getForChat}): a visitor's turn asked the bot component for its bot on every turn, a
 * round trip between two event loops before anything else could start. Only the bot component writes here, from
 * its own cache ({@code bot.BotCache}), with the same expiry, and takes a bot out before it answers the change that
 * made it stale or publishes it; a node without a bot component has nothing here and asks, as before. Readers get a
 * copy (the event bus gave each a copy too). At most {@link #MAX} bots.
 */
public final class LocalBots implements Shareable {

  static final int MAX = 10_000;
  private static final String MAP = "parley.local-bots";

  private record Entry(JsonObject bot, long expiresAt) {
  }

  private final Map<String, Entry> bots = new ConcurrentHashMap<>();

  private LocalBots() {
  }

  /** The node's instance (one per Vert.x instance). */
  public static LocalBots of(Vertx vertx) {
    return NodeLocal.get(vertx, MAP, LocalBots::new);
  }

  /** A copy of the bot with its encrypted key, or null when it is not held or has expired. */
  public JsonObject get(String botId) {
    Entry entry = bots.get(botId);
    if (entry == null) {
      return null;
    }
    if (entry.expiresAt() <= System.currentTimeMillis()) {
      bots.remove(botId, entry);
      return null;
    }
    return entry.bot().copy();
  }

  /** Holds {@code bot} until {@code expiresAtMs}; the bot component calls this with a bot it read and never changes. */
  public void put(String botId, JsonObject bot, long expiresAtMs) {
    if (bots.size() >= MAX) {
      bots.clear();
    }
    bots.put(botId, new Entry(bot, expiresAtMs));
  }

  public void evict(String botId) {
    bots.remove(botId);
  }

  /** Forgets every bot (the bot component stops: nothing would take a changed bot out any more). */
  public void clear() {
    bots.clear();
  }

  /** How many bots are held (for tests). */
  public int size() {
    return bots.size();
  }
}
