package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Sender side of the memory component ({@code parley.memory.*}); one per verticle, the request id passed per call. */
public final class MemoryClient {

  private static final int APPEND_ATTEMPTS = 9;
  /** The timeout of an append sent again: a live memory node stores a turn in milliseconds. */
  private static final long RETRY_TIMEOUT_MS = 1_500;

  private final Bus bus;
  private final long timeoutMs;

  public MemoryClient(Bus bus, Timeouts timeouts) {
    this.bus = bus;
    this.timeoutMs = timeouts.memoryMs();
  }

  /** The last {@code limit} answered messages of the session, oldest first, as {@code {role, content}}. */
  public Future<JsonArray> history(String requestId, String botId, String sessionId, int limit) {
    if (limit <= 0) {
      return Future.succeededFuture(new JsonArray());
    }
    return bus.request(requestId, Addresses.MEMORY_HISTORY, session(botId, sessionId).put(Fields.LIMIT, limit), timeoutMs)
        .map(r -> r.getJsonArray(Fields.MESSAGES));
  }

  /**
   * Stores one turn in a single transaction: {@code {bot_id, session_id, user:{content, created_at},
   * assistant:{content, status, error, input_tokens, output_tokens, cost, latency_ms, provider, model, sources}}}.
   * Answers {@code {conversation_id, user_message_id, message_id}}. The turn is not stored once the request
   * has timed out ({@link Fields#DEADLINE}). A turn whose messages carry their ids ({@code user.id},
   * {@code assistant.id}) is stored at most once, so a request that timed out is sent again, with a timeout of
   * at most {@value #RETRY_TIMEOUT_MS} ms (up to {@value #APPEND_ATTEMPTS} times in all): its memory node may
   * have stored it and frozen before it could answer, and a visitor who saw an error would send the message
   * again. Each attempt goes to whichever memory node the event bus picks, the frozen one included, hence
   * several.
   */
  public Future<JsonObject> append(String requestId, JsonObject turn) {
    return append(requestId, turn, APPEND_ATTEMPTS, timeoutMs);
  }

  private Future<JsonObject> append(String requestId, JsonObject turn, int attempts, long attemptMs) {
    return bus.request(requestId, Addresses.MEMORY_APPEND, turn.put(Fields.DEADLINE, System.currentTimeMillis() + attemptMs),
            attemptMs)
        .recover(failure -> attempts > 1 && unanswered(failure) && identified(turn)
            ? append(requestId, turn, attempts - 1, Math.min(timeoutMs, RETRY_TIMEOUT_MS))
            : Future.failedFuture(failure));
  }

  private static boolean unanswered(Throwable failure) {
    return failure instanceof ParleyException e && e.status() == ErrorCodes.GATEWAY_TIMEOUT;
  }

  private static boolean identified(JsonObject turn) {
    JsonObject user = turn.getJsonObject(Fields.USER);
    return user != null && Ids.isEntityId(user.getString(Fields.ID));
  }

  /** Every message of the session with ids, status, sources and feedback, oldest first. */
  public Future<JsonObject> messages(String requestId, String botId, String sessionId) {
    return bus.request(requestId, Addresses.MEMORY_SESSION_GET, session(botId, sessionId), timeoutMs);
  }

  public Future<JsonObject> clear(String requestId, String botId, String sessionId) {
    return bus.request(requestId, Addresses.MEMORY_SESSION_CLEAR, session(botId, sessionId), timeoutMs);
  }

  public Future<JsonObject> feedback(String requestId, String botId, String messageId, String rating, String comment) {
    return bus.request(requestId, Addresses.MEMORY_FEEDBACK, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.MESSAGE_ID, messageId).put(Fields.RATING, rating).put(Fields.COMMENT, comment), timeoutMs);
  }

  public Future<JsonObject> conversations(String requestId, String botId, int limit, int offset) {
    return bus.request(requestId, Addresses.MEMORY_CONVERSATIONS, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.LIMIT, limit).put(Fields.OFFSET, offset), timeoutMs);
  }

  public Future<JsonObject> conversation(String requestId, String botId, String conversationId) {
    return bus.request(requestId, Addresses.MEMORY_CONVERSATION, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.CONVERSATION_ID, conversationId), timeoutMs);
  }

  public Future<JsonObject> stats(String requestId, String botId, int days) {
    return bus.request(requestId, Addresses.MEMORY_STATS, new JsonObject().put(Fields.BOT_ID, botId).put(Fields.DAYS, days), timeoutMs);
  }

  /** Tokens and cost of the bot's turns on the UTC days from the one of {@code since} (epoch ms) on: {@code {input_tokens, output_tokens, cost}}. */
  public Future<JsonObject> usage(String requestId, String botId, long since) {
    return bus.request(requestId, Addresses.MEMORY_USAGE, new JsonObject().put(Fields.BOT_ID, botId).put("since", since), timeoutMs);
  }

  /**
   * One page of the bot's conversations active in [{@code since}, {@code until}) (epoch ms), after the cursor
   * {@code after} (null for the first page): {@code {conversations, next}} ({@code next} null after the last).
   */
  public Future<JsonObject> exportPage(String requestId, String botId, long since, long until, JsonObject after) {
    JsonObject body = new JsonObject().put(Fields.BOT_ID, botId).put("since", since).put("until", until);
    if (after != null) {
      body.mergeIn(after);
    }
    return bus.request(requestId, Addresses.MEMORY_EXPORT_PAGE, body, timeoutMs);
  }

  /** Erasure on request: deletes the session's conversation with its messages and feedback; 404 for no such session. */
  public Future<JsonObject> erase(String requestId, String botId, String sessionId) {
    return bus.request(requestId, Addresses.MEMORY_SESSION_ERASE, session(botId, sessionId), timeoutMs);
  }

  private static JsonObject session(String botId, String sessionId) {
    return new JsonObject().put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, sessionId);
  }

  /**
   * The bot's visitor questions since {@code since} (epoch ms) that found nothing, only passages under
   * {@code weakBelow}, a thumbs-down or a person: {@code {questions: [{message_id, conversation_id, text, created_at,
   * top_score, reasons}]}}, newest first, at most {@code limit}.
   */
  public Future<JsonObject> gaps(String requestId, String botId, long since, double weakBelow, int limit) {
    return bus.request(requestId, Addresses.MEMORY_GAPS, new JsonObject().put(Fields.BOT_ID, botId).put("since", since)
        .put("weak_below", weakBelow).put(Fields.LIMIT, limit), timeoutMs);
  }

  /** Stores a new evaluation run, {@code running}; 409 {@code evaluation_running} when the bot has one running. */
  public Future<JsonObject> evaluationCreate(String requestId, String botId, String evalId, JsonObject settings,
      JsonArray questions) {
    return bus.request(requestId, Addresses.MEMORY_EVALUATION_CREATE, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.EVALUATION_ID, evalId).put("settings", settings).put("questions", questions), timeoutMs);
  }

  /** How many questions of a run are done; {@code {updated: false}} once it is no longer running. */
  public Future<JsonObject> evaluationProgress(String requestId, String evalId, int done) {
    return bus.request(requestId, Addresses.MEMORY_EVALUATION_PROGRESS, new JsonObject()
        .put(Fields.EVALUATION_ID, evalId).put("done_count", done), timeoutMs);
  }

  /** A running run's heartbeat, so that memory knows its node still runs it: {@code {updated}}, false once it is not. */
  public Future<JsonObject> evaluationHeartbeat(String requestId, String evalId) {
    return bus.request(requestId, Addresses.MEMORY_EVALUATION_HEARTBEAT, new JsonObject()
        .put(Fields.EVALUATION_ID, evalId), timeoutMs);
  }

  /** Ends a run: {@code status} completed or failed, with its measures and per-question rows (or its error). */
  public Future<JsonObject> evaluationFinish(String requestId, String evalId, String status, int done, String error,
      JsonObject summary, JsonArray results) {
    return bus.request(requestId, Addresses.MEMORY_EVALUATION_FINISH, new JsonObject()
        .put(Fields.EVALUATION_ID, evalId).put(Fields.STATUS, status).put("done_count", done).put(Fields.ERROR, error)
        .put("summary", summary).put("results", results), timeoutMs);
  }

  /** The bot's last 50 runs, newest first, without their per-question rows: {@code {evaluations}}. */
  public Future<JsonObject> evaluations(String requestId, String botId) {
    return bus.request(requestId, Addresses.MEMORY_EVALUATION_LIST, new JsonObject().put(Fields.BOT_ID, botId), timeoutMs);
  }

  /** One run with its per-question {@code results}; 404. */
  public Future<JsonObject> evaluation(String requestId, String botId, String evalId) {
    return bus.request(requestId, Addresses.MEMORY_EVALUATION_GET, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.EVALUATION_ID, evalId), timeoutMs);
  }
}
