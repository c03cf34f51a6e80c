package dev.parley.memory;

import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Tells the rest of Parley about a conversation's change, once it is committed: the visitor's channel
 * ({@code parley.session.<bot_id>.<session_id>}, each appended event as {@code {id, type, data}}), the agents' inboxes
 * ({@code parley.inbox.changes}) and extensions ({@code parley.events.conversation.*}, no text of notes).
 */
final class ConversationNews {

  private static final Map<String, String> EXTENSION_EVENTS = Map.of(
      "handoff_requested", Addresses.EVENTS_CONVERSATION_HANDOFF_REQUESTED,
      "assigned", Addresses.EVENTS_CONVERSATION_ASSIGNED,
      "message", Addresses.EVENTS_CONVERSATION_MESSAGE,
      "released", Addresses.EVENTS_CONVERSATION_RELEASED,
      "closed", Addresses.EVENTS_CONVERSATION_CLOSED);

  private final EventBus bus;
  private final NodeRelay relay;

  /** {@code relay}: to nodes on the same PostgreSQL without a shared bus (null: none). */
  ConversationNews(EventBus bus, NodeRelay relay) {
    this.bus = bus;
    this.relay = relay;
  }

  static String sessionAddress(String botId, String sessionId) {
    return Addresses.SESSION_PREFIX + botId + "." + sessionId;
  }

  /** An event of the visitor's channel, as stored with its {@code id}. */
  void toVisitor(String botId, String sessionId, long id, String type, JsonObject data) {
    bus.publish(sessionAddress(botId, sessionId), new JsonObject().put(Fields.ID, id).put(Fields.TYPE, type).put(Fields.DATA, data));
    if (relay != null) {
      relay.send(new JsonObject().put("kind", "session").put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, sessionId).put(Fields.ID, id));
    }
  }

  /**
   * A change of the conversation {@code row} (as {@link ConversationSql#STATE_COLUMNS} reads it, after the change):
   * {@code kind} is one of handoff_requested, assigned, message, released, closed, reopened, note, visitor_message, follow_up;
   * {@code extra} adds {@code message_id}, {@code role}, {@code user_id}, {@code text} (agent messages only)….
   */
  void changed(String kind, JsonObject row, JsonObject extra) {
    JsonObject event = new JsonObject()
        .put(Fields.BOT_ID, row.getString(Fields.BOT_ID))
        .put(Fields.SESSION_ID, row.getString(Fields.SESSION_ID))
        .put(Fields.CONVERSATION_ID, row.getString(Fields.ID))
        .put(Fields.STATE, row.getString(Fields.STATE))
        .put(Fields.AT, System.currentTimeMillis());
    putIfSet(event, Fields.REASON, row.getString("state_reason"));
    putIfSet(event, Fields.TRIGGER, row.getString("state_trigger"));
    putIfSet(event, Fields.ASSIGNEE_ID, row.getString(Fields.ASSIGNEE_ID));
    if (extra != null) {
      event.mergeIn(extra);
    }
    String address = EXTENSION_EVENTS.get(kind);
    if (address != null && !"note".equals(event.getString(Fields.ROLE))) {
      bus.publish(address, event.copy());
    }
    JsonObject inbox = event.copy().put(Fields.TYPE, kind);
    inbox.remove(Fields.TEXT);
    putIfSet(inbox, Fields.ASSIGNEE_NAME, row.getString(Fields.ASSIGNEE_NAME));
    inbox.put("change_id", Ids.uuid());
    bus.publish(Addresses.INBOX_CHANGES, inbox);
    if (relay != null) {
      relay.send(new JsonObject().put("kind", "inbox").put("body", inbox));
    }
  }

  private static void putIfSet(JsonObject json, String field, Object value) {
    if (value != null) {
      json.put(field, value);
    }
  }
}
