package dev.parley.common;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bots that this node's bot component holds in its chat cache, for the node's other verticles to read without a
 * request ({@link BotClient#getForChat}): a visitor's turn asked the bot component for its bot on every turn, a
 * round trip between two event loops before anything else could start. Only the bot component writes here, from
 * its own cache ({@code bot.BotCache}), with the same expiry, and takes a bot out before it answers the change that
 * made it stale or publishes it; a node without a bot component has nothing here and asks, as before. Readers get a
 * copy (the event bus gave each a copy too). At most {@link #MAX} bots.
 *
 * <p>When a bot's time lapses, the first reader is told to ask (its request refreshes the bot here) and, for at most
 * {@link #LAPSE_MS} more, the others get the lapsed copy meanwhile: under a burst of turns the bot component can be
 * seconds behind, and every turn arriving until it answered asked it too and failed together when it could not
 * answer in time (1,000 turns of a 10,000-stream burst). A change still takes the bot out at once; only a change
 * whose event this node missed is seen up to {@link #LAPSE_MS} later than the expiry alone would show it.
 */
public final class LocalBots implements Shareable {

  static final int MAX = 10_000;
  /** How long past its expiry a bot is still lent while one reader's request refreshes it. */
  static final long LAPSE_MS = 10_000;
  private static final String MAP = "parley.local-bots";

  private record Entry(JsonObject bot, long expiresAt, AtomicBoolean refreshing) {
  }

  private final Map<String, Entry> bots = new ConcurrentHashMap<>();

  private LocalBots() {
  }

  /** The node's instance (one per Vert.x instance). */
  public static LocalBots of(Vertx vertx) {
    return NodeLocal.get(vertx, MAP, LocalBots::new);
  }

  /**
   * A copy of the bot with its encrypted key, or null when it is not held, or has expired and this reader is the
   * one to ask for it again (the first after the expiry, or any after {@link #LAPSE_MS} more).
   */
  public JsonObject get(String botId) {
    Entry entry = bots.get(botId);
    if (entry == null) {
      return null;
    }
    long now = System.currentTimeMillis();
    if (entry.expiresAt() <= now) {
      if (entry.expiresAt() + LAPSE_MS <= now) {
        bots.remove(botId, entry);
        return null;
      }
      if (entry.refreshing().compareAndSet(false, true)) {
        return null;
      }
    }
    return entry.bot().copy();
  }

  /**
   * A copy of a bot whose time lapsed less than {@link #LAPSE_MS} ago, for the reader whose request to refresh it
   * was not answered at all; null otherwise (a changed or deleted bot is taken out, so it is never given here).
   */
  public JsonObject lapsed(String botId) {
    Entry entry = bots.get(botId);
    long now = System.currentTimeMillis();
    return entry == null || entry.expiresAt() + LAPSE_MS <= now ? null : entry.bot().copy();
  }

  /** Holds {@code bot} until {@code expiresAtMs}; the bot component calls this with a bot it read and never changes. */
  public void put(String botId, JsonObject bot, long expiresAtMs) {
    if (bots.size() >= MAX) {
      bots.clear();
    }
    bots.put(botId, new Entry(bot, expiresAtMs, new AtomicBoolean()));
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
