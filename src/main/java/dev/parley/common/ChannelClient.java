package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The visitor channel's side of the answers in progress: the answer being written for a session, asked for on
 * {@link Addresses#chatAnswer} (the conversation's log is {@link ConversationClient#events}).
 */
public final class ChannelClient {

  /** The most events one {@code parley.conversation.events} request answers ({@link ConversationClient#events}). */
  public static final int EVENTS_PAGE = 500;

  private final Bus bus;
  private final Timeouts timeouts;

  public ChannelClient(Bus bus, Timeouts timeouts) {
    this.bus = bus;
    this.timeouts = timeouts;
  }

  /** The answer being written for the session, {@code {message_id, text}}, or null when none is. */
  public Future<JsonObject> answerSoFar(String requestId, String botId, String sessionId) {
    return bus.request(requestId, Addresses.chatAnswer(botId, sessionId), new JsonObject(), timeouts.botMs())
        .recover(failure -> failure instanceof ParleyException parley && "service_unavailable".equals(parley.code())
            ? Future.succeededFuture(null) : Future.failedFuture(failure));
  }
}
