package dev.parley.memory;

/**
 * What the conversation states tell the history cache ({@link MemoryService}): a session's history changed, or the
 * session has no conversation at all, so the history a new visitor's first turn asks for costs no second read.
 */
interface SessionHistories {

  /** Drops the session's cached history (an agent's message is part of it now, or its conversation went). */
  void forget(String botId, String sessionId);

  /** Take before a read whose finding may be passed to {@link #none}. */
  long ticket();

  /** The session had no conversation when read (after {@code ticket}): its history is empty until it is written. */
  void none(String botId, String sessionId, long ticket);
}
