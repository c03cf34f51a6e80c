package dev.parley.memory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sessions known to be with the bot (state {@code bot}, nobody assigned), so that the state read of a plain turn
 * ({@link ConversationStates#state}) costs no query. Only used on SQLite, where one process owns the database, and
 * shared by every memory verticle instance of the process.
 *
 * <p>Only {@code bot} is kept because nothing but a {@link ConversationStates} transaction moves a conversation away
 * from it: a turn's own write never changes the state, and a deleted conversation (retention, erasure) reads as
 * {@code bot} again. Each of those transactions forgets every session before it begins and after it ends, and a read
 * fills only if no transaction began or ended since it was issued (its {@link #ticket()}), so a read that raced a
 * change can never keep the state from before it. Those transactions are an agent's or a trigger's, rare beside turns.
 * At most {@link #MAX_SESSIONS} sessions (least recently asked first out). Thread-safe.
 */
final class WithTheBot {

  /** About 3 MB of keys when full; a session beyond them only costs its query. */
  static final int MAX_SESSIONS = 20_000;

  private static final PerDatabase<WithTheBot> SHARED = new PerDatabase<>();

  private final String database;
  private final LinkedHashMap<String, Boolean> sessions = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MAX_SESSIONS;
    }
  };
  private long generation;

  private WithTheBot(String database) {
    this.database = database;
  }

  /** The set of {@code database}, made on first use; each user {@link #release()}s it when it stops. */
  static WithTheBot acquire(String database) {
    return SHARED.acquire(database, WithTheBot::new);
  }

  void release() {
    SHARED.release(database);
  }

  /** Taken before a state read; {@link #fill} refuses it if a state change began or ended since. */
  synchronized long ticket() {
    return generation;
  }

  synchronized boolean contains(String botId, String sessionId) {
    return sessions.get(key(botId, sessionId)) != null;
  }

  /** Keeps the session as with the bot, read under {@code ticket}. */
  synchronized void fill(String botId, String sessionId, long ticket) {
    if (ticket == generation) {
      sessions.put(key(botId, sessionId), Boolean.TRUE);
    }
  }

  /** Forgets every session: a state change begins or has ended. */
  synchronized void forgetAll() {
    generation++;
    sessions.clear();
  }

  synchronized int size() {
    return sessions.size();
  }

  private static String key(String botId, String sessionId) {
    return botId + '\n' + sessionId;
  }
}
