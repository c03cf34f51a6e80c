package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;

/**
 * Sender side of a conversation's state and its humans ({@code parley.conversation.*}, served by the memory
 * component; {@code parley.inbox.online}, served by the HTTP nodes). An {@code actor} is {@code {user_id, name, role}}.
 */
public final class ConversationClient {

  private final Bus bus;
  private final long timeoutMs;

  public ConversationClient(Bus bus, Timeouts timeouts) {
    this.bus = bus;
    this.timeoutMs = timeouts.memoryMs();
  }

  /** {@code {state, assignee_id?, assignee_name?}}; {@code bot} for a session with no conversation yet. */
  public Future<JsonObject> state(String requestId, String botId, String sessionId) {
    return bus.request(requestId, Addresses.CONVERSATION_STATE_GET, session(botId, sessionId), timeoutMs);
  }

  /** Asks for a person: {@code {state, conversation_id, changed}}. {@code trigger}: visitor, keywords, no_answer_turns, negative_feedback or tool. */
  public Future<JsonObject> handoff(String requestId, String botId, String sessionId, String reason, String trigger) {
    return bus.request(requestId, Addresses.CONVERSATION_HANDOFF, session(botId, sessionId).put(Fields.REASON, reason)
        .put(Fields.TRIGGER, trigger), timeoutMs);
  }

  /**
   * A follow-up the visitor left with {@code name} and {@code email} (no person was there): the conversation waits for
   * a person with the reason {@code follow_up}, also when it was waiting already: {@code {state, conversation_id, changed}}.
   */
  public Future<JsonObject> followUp(String requestId, String botId, String sessionId, String name, String email) {
    return bus.request(requestId, Addresses.CONVERSATION_HANDOFF, session(botId, sessionId).put(Fields.REASON, "follow_up")
        .put(Fields.TRIGGER, "visitor").put("follow_up", new JsonObject().put(Fields.NAME, name).put(Fields.EMAIL, email)),
        timeoutMs);
  }

  /** The visitor's channel after event {@code after}: {@code {events:[{id, type, data}]}}, at most 500. */
  public Future<JsonObject> events(String requestId, String botId, String sessionId, long after) {
    return bus.request(requestId, Addresses.CONVERSATION_EVENTS, session(botId, sessionId).put(Fields.AFTER, after), timeoutMs);
  }

  public Future<JsonObject> reopen(String requestId, String botId, String sessionId) {
    return bus.request(requestId, Addresses.CONVERSATION_REOPEN, session(botId, sessionId), timeoutMs);
  }

  /** Counts (or resets) the bot's turns in a row whose retrieval found nothing; at {@code turns} a person is asked for. */
  public Future<JsonObject> noAnswer(String requestId, String botId, String sessionId, boolean answered, int turns) {
    return bus.request(requestId, Addresses.CONVERSATION_NO_ANSWER, session(botId, sessionId).put("answered", answered)
        .put("turns", turns), timeoutMs);
  }

  /** Takes the conversation over for {@code assignee} ({@code {user_id, name}}; null: the actor). */
  public Future<JsonObject> assign(String requestId, String botId, String conversationId, JsonObject actor, JsonObject assignee) {
    JsonObject body = conversation(botId, conversationId, actor);
    if (assignee != null) {
      body.put(Fields.ASSIGNEE_ID, assignee.getString(Fields.USER_ID)).put(Fields.ASSIGNEE_NAME, assignee.getString(Fields.NAME));
    }
    return bus.request(requestId, Addresses.CONVERSATION_ASSIGN, body, timeoutMs);
  }

  /** An agent's message to the visitor, or ({@code note}) an internal note: {@code {message_id, state}}. */
  public Future<JsonObject> message(String requestId, String botId, String conversationId, JsonObject actor, String text,
      boolean note) {
    return bus.request(requestId, Addresses.CONVERSATION_MESSAGE, conversation(botId, conversationId, actor)
        .put(Fields.TEXT, text).put("note", note), timeoutMs);
  }

  public Future<JsonObject> release(String requestId, String botId, String conversationId, JsonObject actor) {
    return bus.request(requestId, Addresses.CONVERSATION_RELEASE, conversation(botId, conversationId, actor), timeoutMs);
  }

  public Future<JsonObject> close(String requestId, String botId, String conversationId, JsonObject actor) {
    return bus.request(requestId, Addresses.CONVERSATION_CLOSE, conversation(botId, conversationId, actor), timeoutMs);
  }

  /** The inbox of {@code botIds} (null: every bot), of one {@code state} or (null) the open and recent ones. */
  public Future<JsonObject> inbox(String requestId, Collection<String> botIds, String state, int limit) {
    JsonObject body = new JsonObject().put(Fields.STATE, state).put(Fields.LIMIT, limit);
    if (botIds != null) {
      body.put(Fields.BOT_IDS, new JsonArray(botIds.stream().sorted().toList()));
    }
    return bus.request(requestId, Addresses.CONVERSATION_INBOX, body, timeoutMs);
  }

  /** {@code {bot, waiting, human, closed, bots: {<bot_id>: {bot, waiting, human, closed}}}}: conversations per state. */
  public Future<JsonObject> perState(String requestId) {
    return bus.request(requestId, Addresses.CONVERSATION_PER_STATE, new JsonObject(), timeoutMs);
  }

  /** Whether an agent covering the bot has an inbox channel open on any node. */
  public Future<Boolean> online(String requestId, String botId) {
    return bus.request(requestId, Addresses.INBOX_ONLINE, new JsonObject().put(Fields.BOT_ID, botId), timeoutMs)
        .map(reply -> reply.getBoolean(Fields.ONLINE, false));
  }

  private static JsonObject session(String botId, String sessionId) {
    return new JsonObject().put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, sessionId);
  }

  private static JsonObject conversation(String botId, String conversationId, JsonObject actor) {
    return new JsonObject().put(Fields.BOT_ID, botId).put(Fields.CONVERSATION_ID, conversationId).put(Fields.ACTOR, actor);
  }
}
