package dev.parley.common;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bots that this node's knowledge-base component found with nothing to search: no ready document and no stored
 * answer. A chat turn of such a bot (retrieval is on by default) asked the component anyway, a round trip to a search
 * thread and back that can only answer "no passages, no match"; {@link RagClient#turnSearch} answers that here
 * instead. Only the knowledge-base component writes here, after a search that found the bot empty, with a ticket
 * taken before it looked ({@link #ticket}): a change that overtook the search keeps it out. Any change to any bot's
 * documents or stored answers, on this node or announced from another ({@code parley.events.document.changed},
 * {@code parley.events.answers.changed}), forgets every bot here; an entry also expires after {@link #EXPIRY_MS}, for
 * a node that missed such an event. A node without the component has nothing here and asks, as before. At most
 * {@link #MAX} bots.
 */
public final class LocalKnowledge implements Shareable {

  public static final long EXPIRY_MS = 5_000;
  static final int MAX = 10_000;
  private static final String MAP = "parley.local-knowledge";

  private final Map<String, Long> empty = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();

  private LocalKnowledge() {
  }

  /** The node's instance (one per Vert.x instance). */
  public static LocalKnowledge of(Vertx vertx) {
    return NodeLocal.get(vertx, MAP, LocalKnowledge::new);
  }

  /** Whether the bot is known to have nothing to search (and the knowledge has not changed since). */
  public boolean isEmpty(String botId) {
    Long expiresAt = empty.get(botId);
    if (expiresAt == null) {
      return false;
    }
    if (expiresAt <= System.currentTimeMillis()) {
      empty.remove(botId, expiresAt);
      return false;
    }
    return true;
  }

  /** Taken before looking at a bot's documents and answers; {@link #empty} keeps nothing if a change came since. */
  public long ticket() {
    return generation.get();
  }

  /** The bot had nothing to search when looked at after {@code ticket} was taken. */
  public void empty(String botId, long ticket) {
    empty(botId, ticket, System.currentTimeMillis() + EXPIRY_MS);
  }

  void empty(String botId, long ticket, long expiresAtMs) {
    if (empty.size() >= MAX) {
      empty.clear();
    }
    Long expiresAt = expiresAtMs;
    empty.put(botId, expiresAt);
    if (generation.get() != ticket) { // a change came while it was looked at (or while this was written)
      empty.remove(botId, expiresAt);
    }
  }

  /** Some bot's documents or stored answers changed (or may have: the component stops): every bot is asked again. */
  public void changed() {
    generation.incrementAndGet();
    empty.clear();
  }

  /** How many bots are held (for tests). */
  public int size() {
    return empty.size();
  }
}
