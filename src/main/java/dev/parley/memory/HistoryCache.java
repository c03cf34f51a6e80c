package dev.parley.memory;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The newest answered messages of recent sessions, kept in step with this process's writes, so
 * that a turn's history costs no query. Only used on SQLite, where one process owns the
 * database and every write of a message passes through its memory component; on PostgreSQL
 * several nodes write and each turn reads the database.
 *
 * <p>One cache per database, shared by every memory verticle instance of the process, bounded
 * by the characters it holds (least recently used sessions go first). A read that missed fills
 * the cache only if no write to that session happened since it was issued (the {@link #ticket()}
 * taken before the query), so a fill can never bring back an older state than a write left.
 * Thread-safe.
 */
final class HistoryCache {

  /** The most messages kept per session: the largest {@code history_limit} a bot may have. */
  static final int MAX_MESSAGES = 200;

  private static final PerDatabase<HistoryCache> SHARED = new PerDatabase<>();

  record Message(String id, String role, String content) {
  }

  private static final class Entry {
    final ArrayDeque<Message> messages = new ArrayDeque<>();
    /** Whether {@link #messages} holds every answered message of the session, not only the newest. */
    boolean whole;
    /** False for a session whose state is unknown here: written to, but never read since. */
    boolean known;
    long writtenAt;
    long chars;
  }

  private final String database;
  private final long maxChars;
  private final int maxSessions;
  private final LinkedHashMap<String, Entry> sessions = new LinkedHashMap<>(1_024, 0.75f, true);
  private long chars;
  private long writes;

  HistoryCache(String database, long maxChars, int maxSessions) {
    this.database = database;
    this.maxChars = maxChars;
    this.maxSessions = maxSessions;
  }

  /**
   * The cache of one database, made on first use; {@code null} when {@code maxChars} is 0 (cache off).
   * Each user {@link #release()}s it when it stops; the last one drops it, so a database reopened later
   * (by a restarted verticle, or a test) starts cold.
   */
  static HistoryCache acquire(String database, long maxChars) {
    if (maxChars <= 0) {
      return null;
    }
    return SHARED.acquire(database, name -> new HistoryCache(name, maxChars, (int) Math.min(1_000_000, maxChars / 64)));
  }

  void release() {
    SHARED.release(database);
  }

  /** The last {@code limit} messages oldest first ({@code {role, content}}), or {@code null} when not held. */
  synchronized JsonArray get(String botId, String sessionId, int limit) {
    Entry entry = sessions.get(key(botId, sessionId));
    if (entry == null || !entry.known || (entry.messages.size() < limit && !entry.whole)) {
      return null;
    }
    // from the newest back: a session holds up to MAX_MESSAGES, a turn asks for its last few
    int count = Math.max(0, Math.min(limit, entry.messages.size()));
    List<Object> messages = new ArrayList<>(count);
    Iterator<Message> newest = entry.messages.descendingIterator();
    for (int i = 0; i < count; i++) {
      Message message = newest.next();
      messages.add(new JsonObject().put("role", message.role()).put("content", message.content()));
    }
    Collections.reverse(messages);
    return new JsonArray(messages);
  }

  /** Take before issuing a read whose result may {@link #fill} the cache. */
  synchronized long ticket() {
    return writes;
  }

  /**
   * Keeps what a read found ({@code newestFirst}, asked with {@code limit}) unless the session was
   * written to after {@code ticket}, or is already held.
   */
  synchronized void fill(String botId, String sessionId, long ticket, int limit, List<Message> newestFirst) {
    String key = key(botId, sessionId);
    Entry held = sessions.get(key);
    if (held != null && (held.writtenAt > ticket || (held.known && held.messages.size() >= newestFirst.size()))) {
      return;
    }
    Entry entry = new Entry();
    entry.known = true;
    entry.whole = newestFirst.size() < limit;
    entry.writtenAt = ticket;
    for (Message message : newestFirst) {
      if (entry.messages.size() == MAX_MESSAGES) {
        entry.whole = false;
        break;
      }
      entry.messages.addFirst(message);
      entry.chars += message.content().length();
    }
    put(key, entry);
  }

  /** Records answered messages just committed for a session (ones already held are skipped). */
  synchronized void appended(String botId, String sessionId, List<Message> committed) {
    String key = key(botId, sessionId);
    Entry entry = sessions.get(key);
    writes++;
    if (entry == null || !entry.known) {
      put(key, unknown());
      return;
    }
    for (Message message : committed) {
      if (!holds(entry, message.id())) {
        entry.messages.addLast(message);
        entry.chars += message.content().length();
        chars += message.content().length();
      }
    }
    while (entry.messages.size() > MAX_MESSAGES) {
      Message dropped = entry.messages.removeFirst();
      entry.chars -= dropped.content().length();
      chars -= dropped.content().length();
      entry.whole = false;
    }
    entry.writtenAt = writes;
    evict();
  }

  /** Forgets a session whose visitor cleared it (or whose write failed in an unknown state). */
  synchronized void forget(String botId, String sessionId) {
    writes++;
    put(key(botId, sessionId), unknown());
  }

  synchronized int sessions() {
    return sessions.size();
  }

  synchronized long chars() {
    return chars;
  }

  private Entry unknown() {
    Entry entry = new Entry();
    entry.writtenAt = writes;
    return entry;
  }

  private void put(String key, Entry entry) {
    Entry previous = sessions.put(key, entry);
    chars += entry.chars - (previous == null ? 0 : previous.chars);
    evict();
  }

  private void evict() {
    Iterator<Entry> eldest = sessions.values().iterator();
    while ((chars > maxChars || sessions.size() > maxSessions) && eldest.hasNext()) {
      chars -= eldest.next().chars;
      eldest.remove();
    }
  }

  private static boolean holds(Entry entry, String id) {
    Iterator<Message> newest = entry.messages.descendingIterator();
    for (int i = 0; i < 4 && newest.hasNext(); i++) {
      if (newest.next().id().equals(id)) {
        return true;
      }
    }
    return false;
  }

  private static String key(String botId, String sessionId) {
    return botId + '/' + sessionId;
  }
}
