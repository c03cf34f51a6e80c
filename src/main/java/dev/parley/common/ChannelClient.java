package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The visitor channel's side of the conversation event log and of the answers in progress: what a session missed
 * ({@code parley.conversation.events}), the answer being written for it ({@link Addresses#chatAnswer}), whether a
 * person is there for a bot ({@code parley.inbox.online}) and asking for one ({@code parley.conversation.handoff}).
 */
public final class ChannelClient {

  /** The most events one {@code parley.conversation.events} request answers. */
  public static final int EVENTS_PAGE = 500;

  private final Bus bus;
  private final Timeouts timeouts;

  public ChannelClient(Bus bus, Timeouts timeouts) {
    this.bus = bus;
    this.timeouts = timeouts;
  }

  /** The session's events with an id above {@code after}, ascending, at most {@link #EVENTS_PAGE}. */
  public Future<JsonArray> events(String requestId, String botId, String sessionId, long after) {
    return bus.request(requestId, Addresses.CONVERSATION_EVENTS, new JsonObject().put(Fields.BOT_ID, botId)
            .put(Fields.SESSION_ID, sessionId).put(Fields.AFTER, after), timeouts.memoryMs())
        .map(reply -> reply.getJsonArray(Fields.EVENTS, new JsonArray()));
  }

  /** The answer being written for the session, {@code {message_id, text}}, or null when none is. */
  public Future<JsonObject> answerSoFar(String requestId, String botId, String sessionId) {
    return bus.request(requestId, Addresses.chatAnswer(botId, sessionId), new JsonObject(), timeouts.botMs())
        .recover(failure -> failure instanceof ParleyException parley && "service_unavailable".equals(parley.code())
            ? Future.succeededFuture(null) : Future.failedFuture(failure));
  }

  /** Whether an agent covering the bot has the inbox open on some node. */
  public Future<Boolean> online(String requestId, String botId) {
    return bus.request(requestId, Addresses.INBOX_ONLINE, new JsonObject().put(Fields.BOT_ID, botId), timeouts.botMs())
        .map(reply -> reply.getBoolean(Fields.ONLINE, false));
  }

  /** Asks for a person: {@code {state}} once the conversation waits for one. */
  public Future<JsonObject> handoff(String requestId, String botId, String sessionId, String reason, String trigger) {
    JsonObject body = new JsonObject().put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, sessionId)
        .put(Fields.TRIGGER, trigger);
    if (reason != null) {
      body.put(Fields.REASON, reason);
    }
    return bus.request(requestId, Addresses.CONVERSATION_HANDOFF, body, timeouts.memoryMs());
  }
}
