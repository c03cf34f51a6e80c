package dev.parley.testing;

import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A conversation event log on the bus as the contract of {@code parley.conversation.events} has it, for tests of the
 * visitor channel that need no agent: {@link #append} stores an event with the next id and publishes it on the
 * session's address; requests answer the events after {@code after}, at most 500.
 */
public final class FakeConversationLog {

  private final Vertx vertx;
  private final List<JsonObject> events = new ArrayList<>();
  private MessageConsumer<JsonObject> consumer;
  private long nextId = 1;

  public FakeConversationLog(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<FakeConversationLog> start() {
    consumer = vertx.eventBus().consumer(Addresses.CONVERSATION_EVENTS, request -> {
      JsonObject body = request.body();
      JsonArray page = new JsonArray();
      synchronized (events) {
        for (JsonObject event : events) {
          if (event.getString("bot_id").equals(body.getString(Fields.BOT_ID))
              && event.getString("session_id").equals(body.getString(Fields.SESSION_ID))
              && event.getLong(Fields.ID) > body.getLong(Fields.AFTER, 0L) && page.size() < 500) {
            page.add(new JsonObject().put(Fields.ID, event.getLong(Fields.ID)).put(Fields.TYPE, event.getString(Fields.TYPE))
                .put(Fields.DATA, event.getJsonObject(Fields.DATA)));
          }
        }
      }
      request.reply(new JsonObject().put(Fields.EVENTS, page));
    });
    return consumer.completion().map(this);
  }

  /** Stores an event of the session and publishes it; returns its id. */
  public long append(String botId, String sessionId, String type, JsonObject data) {
    JsonObject event;
    synchronized (events) {
      event = new JsonObject().put(Fields.ID, nextId++).put("bot_id", botId).put("session_id", sessionId)
          .put(Fields.TYPE, type).put(Fields.DATA, data);
      events.add(event);
    }
    vertx.eventBus().publish(Addresses.session(botId, sessionId), new JsonObject().put(Fields.ID, event.getLong(Fields.ID))
        .put(Fields.TYPE, type).put(Fields.DATA, data));
    return event.getLong(Fields.ID);
  }

  /** An agent's message event, as the contract shapes it. */
  public long agentSays(String botId, String sessionId, String agent, String text) {
    return append(botId, sessionId, "message", new JsonObject().put(Fields.ID, "m" + nextId).put(Fields.ROLE, "agent")
        .put("agent_name", agent).put(Fields.TEXT, text).put(Fields.AT, System.currentTimeMillis()));
  }

  public Future<Void> stop() {
    return consumer.unregister();
  }
}
