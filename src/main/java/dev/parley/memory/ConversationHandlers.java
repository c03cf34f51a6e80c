package dev.parley.memory;

import dev.parley.common.Addresses;
import dev.parley.common.BusHandlers;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory component's {@code parley.conversation.*} addresses (issue 14), checked here and answered by
 * {@link ConversationStates} and {@link InboxQuery}. An {@code actor} is {@code {user_id, name, role}}.
 */
final class ConversationHandlers {

  private static final int MAX_TEXT = 4_000;

  private ConversationHandlers() {
  }

  static Future<Void> register(Vertx vertx, ConversationStates states, InboxQuery inbox) {
    return Future.all(List.of(
        BusHandlers.register(vertx, Addresses.CONVERSATION_STATE_GET, body -> states.state(botId(body), sessionId(body))),
        BusHandlers.register(vertx, Addresses.CONVERSATION_HANDOFF, body -> {
          String trigger = body.getString(Fields.TRIGGER, "visitor");
          if (!ConversationStates.TRIGGERS.contains(trigger)) {
            throw ParleyException.invalid(Fields.TRIGGER, "'trigger' must be one of " + ConversationStates.TRIGGERS);
          }
          JsonObject followUp = body.getJsonObject(ConversationStates.FOLLOW_UP);
          if (followUp != null) {
            return states.followUp(botId(body), sessionId(body), contact(followUp, Fields.NAME, 100),
                contact(followUp, Fields.EMAIL, 254));
          }
          return states.handoff(botId(body), sessionId(body), reason(body), trigger);
        }),
        BusHandlers.register(vertx, Addresses.CONVERSATION_EVENTS, body ->
            states.events(botId(body), sessionId(body), Math.max(0L, body.getLong(Fields.AFTER, 0L)))),
        BusHandlers.register(vertx, Addresses.CONVERSATION_REOPEN, body -> states.reopen(botId(body), sessionId(body))),
        BusHandlers.register(vertx, Addresses.CONVERSATION_NO_ANSWER, body -> states.noAnswer(botId(body), sessionId(body),
            body.getBoolean("answered", true), body.getInteger("turns", 0))),
        BusHandlers.register(vertx, Addresses.CONVERSATION_ASSIGN, body -> {
          JsonObject actor = actor(body);
          JsonObject assignee = body.getString(Fields.ASSIGNEE_ID) == null ? actor
              : new JsonObject().put(Fields.USER_ID, body.getString(Fields.ASSIGNEE_ID))
                  .put(Fields.NAME, body.getString(Fields.ASSIGNEE_NAME));
          return states.assign(botId(body), conversationId(body), actor, assignee);
        }),
        BusHandlers.register(vertx, Addresses.CONVERSATION_MESSAGE, body -> states.message(botId(body),
            conversationId(body), actor(body), text(body), body.getBoolean("note", false))),
        BusHandlers.register(vertx, Addresses.CONVERSATION_RELEASE, body ->
            states.release(botId(body), conversationId(body), actor(body))),
        BusHandlers.register(vertx, Addresses.CONVERSATION_CLOSE, body ->
            states.close(botId(body), conversationId(body), actor(body))),
        BusHandlers.register(vertx, Addresses.CONVERSATION_INBOX, body -> {
          String state = body.getString(Fields.STATE);
          if (state != null && !ConversationStates.STATES.contains(state)) {
            throw ParleyException.invalid(Fields.STATE, "'state' must be one of bot, waiting, human, closed");
          }
          return inbox.list(botIds(body), state, body.getInteger(Fields.LIMIT, 100));
        }),
        BusHandlers.register(vertx, Addresses.CONVERSATION_PER_STATE, body -> inbox.perState())))
        .mapEmpty();
  }

  private static List<String> botIds(JsonObject body) {
    JsonArray ids = body.getJsonArray(Fields.BOT_IDS);
    if (ids == null) {
      return null;
    }
    List<String> list = new ArrayList<>(ids.size());
    for (Object id : ids) {
      list.add(Ids.requireEntityId(String.valueOf(id), "Bot"));
    }
    return list;
  }

  private static String reason(JsonObject body) {
    String reason = body.getString(Fields.REASON);
    if (reason != null && reason.length() > 500) {
      throw ParleyException.invalid(Fields.REASON, "'reason' must be at most 500 characters");
    }
    return reason == null || reason.isBlank() ? null : reason.strip();
  }

  private static String contact(JsonObject followUp, String field, int max) {
    String value = followUp.getString(field);
    if (value == null || value.isBlank() || value.length() > max) {
      throw ParleyException.invalid("follow_up." + field, "'follow_up." + field + "' must be a text of 1 to " + max + " characters");
    }
    return value;
  }

  private static String text(JsonObject body) {
    String text = body.getString(Fields.TEXT);
    if (text == null || text.isBlank()) {
      throw ParleyException.invalid(Fields.TEXT, "'text' must be a non-empty string");
    }
    if (text.codePointCount(0, text.length()) > MAX_TEXT) {
      throw ParleyException.invalid(Fields.TEXT, "'text' must be at most " + MAX_TEXT + " characters");
    }
    return text;
  }

  private static JsonObject actor(JsonObject body) {
    JsonObject actor = body.getJsonObject(Fields.ACTOR);
    if (actor == null || actor.getString(Fields.USER_ID) == null) {
      throw ParleyException.badRequest("invalid_actor", "A conversation change needs actor.user_id");
    }
    return actor;
  }

  private static String botId(JsonObject body) {
    return Ids.requireEntityId(body.getString(Fields.BOT_ID), "Bot");
  }

  private static String conversationId(JsonObject body) {
    return Ids.requireEntityId(body.getString(Fields.CONVERSATION_ID), "Conversation");
  }

  private static String sessionId(JsonObject body) {
    return Ids.requireSessionId(body.getString(Fields.SESSION_ID));
  }
}
