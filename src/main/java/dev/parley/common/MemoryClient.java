package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Sender side of the memory component ({@code parley.memory.*}). */
public final class MemoryClient {

  private final Bus bus;
  private final long timeoutMs;

  public MemoryClient(Bus bus, Timeouts timeouts) {
    this.bus = bus;
    this.timeoutMs = timeouts.memoryMs();
  }

  /** The last {@code limit} answered messages of the session, oldest first, as {@code {role, content}}. */
  public Future<JsonArray> history(String botId, String sessionId, int limit) {
    if (limit <= 0) {
      return Future.succeededFuture(new JsonArray());
    }
    return bus.request(Addresses.MEMORY_HISTORY, session(botId, sessionId).put(Fields.LIMIT, limit), timeoutMs)
        .map(r -> r.getJsonArray(Fields.MESSAGES));
  }

  /**
   * Stores one turn in a single transaction: {@code {bot_id, session_id, user:{content, created_at},
   * assistant:{content, status, error, input_tokens, output_tokens, cost, latency_ms, provider, model, sources}}}.
   * Answers {@code {conversation_id, user_message_id, message_id}}.
   */
  public Future<JsonObject> append(JsonObject turn) {
    return bus.request(Addresses.MEMORY_APPEND, turn, timeoutMs);
  }

  /** Every message of the session with ids, status, sources and feedback, oldest first. */
  public Future<JsonObject> messages(String botId, String sessionId) {
    return bus.request(Addresses.MEMORY_SESSION_GET, session(botId, sessionId), timeoutMs);
  }

  public Future<JsonObject> clear(String botId, String sessionId) {
    return bus.request(Addresses.MEMORY_SESSION_CLEAR, session(botId, sessionId), timeoutMs);
  }

  public Future<JsonObject> feedback(String botId, String messageId, String rating, String comment) {
    return bus.request(Addresses.MEMORY_FEEDBACK, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.MESSAGE_ID, messageId).put(Fields.RATING, rating).put(Fields.COMMENT, comment), timeoutMs);
  }

  public Future<JsonObject> conversations(String botId, int limit, int offset) {
    return bus.request(Addresses.MEMORY_CONVERSATIONS, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.LIMIT, limit).put(Fields.OFFSET, offset), timeoutMs);
  }

  public Future<JsonObject> conversation(String botId, String conversationId) {
    return bus.request(Addresses.MEMORY_CONVERSATION, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.CONVERSATION_ID, conversationId), timeoutMs);
  }

  public Future<JsonObject> stats(String botId, int days) {
    return bus.request(Addresses.MEMORY_STATS, new JsonObject().put(Fields.BOT_ID, botId).put(Fields.DAYS, days), timeoutMs);
  }

  /** Tokens and cost of the bot's messages created at or after {@code since} (epoch ms): {@code {input_tokens, output_tokens, cost}}. */
  public Future<JsonObject> usage(String botId, long since) {
    return bus.request(Addresses.MEMORY_USAGE, new JsonObject().put(Fields.BOT_ID, botId).put("since", since), timeoutMs);
  }

  private static JsonObject session(String botId, String sessionId) {
    return new JsonObject().put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, sessionId);
  }
}
