package dev.parley.chat;

import dev.parley.common.Addresses;
import dev.parley.common.ConversationClient;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.MemoryClient;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the bot out of a conversation that is with people: while it is {@code waiting} or {@code human}, the
 * visitor's message is stored and shown to the agents ({@code parley.inbox.changes}, and
 * {@code parley.events.conversation.message} without its text), no model is called, and the turn ends held (202).
 * A message to a {@code closed} conversation starts the bot again. When the bot's handoff is enabled and the
 * message holds one of its {@code triggers.keywords} (whole words, any case), a person is asked for first
 * (trigger {@code keywords}) and the message is held. A failed state lookup lets the turn through to the bot.
 */
final class HandoffGate implements Step {

  private static final Logger LOG = LoggerFactory.getLogger(HandoffGate.class);

  private final ConversationClient conversations;
  private final MemoryClient memory;
  private final EventBus eventBus;

  HandoffGate(ConversationClient conversations, MemoryClient memory, EventBus eventBus) {
    this.conversations = conversations;
    this.memory = memory;
    this.eventBus = eventBus;
  }

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    return conversations.state(turn.requestId(), turn.botId(), turn.sessionId())
        .recover(failure -> {
          LOG.warn("[{}] The conversation state of bot {} could not be read ({}); the bot answers",
              turn.requestId(), turn.botId(), Failures.safe(failure, Addresses.CONVERSATION_STATE_GET).code());
          return Future.succeededFuture(new JsonObject().put(Fields.STATE, "bot"));
        })
        .compose(state -> {
          String current = state.getString(Fields.STATE, "bot");
          if (current.equals("waiting") || current.equals("human")) {
            return hold(turn, current);
          }
          Future<?> reopened = current.equals("closed")
              ? conversations.reopen(turn.requestId(), turn.botId(), turn.sessionId()) : Future.succeededFuture();
          String keyword = keyword(turn);
          if (keyword == null) {
            return reopened.map(turn);
          }
          return reopened.compose(v -> conversations.handoff(turn.requestId(), turn.botId(), turn.sessionId(),
              "keyword: " + keyword, "keywords")).compose(handed -> hold(turn, handed.getString(Fields.STATE)));
        });
  }

  private Future<Turn> hold(Turn turn, String state) {
    return memory.append(turn.requestId(), TurnRecords.held(turn)).map(stored -> {
      JsonObject event = new JsonObject().put(Fields.BOT_ID, turn.botId()).put(Fields.SESSION_ID, turn.sessionId())
          .put(Fields.CONVERSATION_ID, stored.getString(Fields.CONVERSATION_ID)).put(Fields.STATE, state)
          .put(Fields.MESSAGE_ID, stored.getString("user_message_id")).put(Fields.ROLE, "user")
          .put(Fields.AT, System.currentTimeMillis());
      eventBus.publish(Addresses.EVENTS_CONVERSATION_MESSAGE, event.copy());
      eventBus.publish(Addresses.INBOX_CHANGES, event.put(Fields.TYPE, "visitor_message"));
      return turn.withHeld(state, stored);
    });
  }

  /** The first of the bot's handoff keywords the message holds, or null (also when handoff is off). */
  private static String keyword(Turn turn) {
    if (!turn.handoffEnabled()) {
      return null;
    }
    JsonArray keywords = turn.handoff().getJsonObject("triggers", new JsonObject()).getJsonArray("keywords", new JsonArray());
    for (Object keyword : keywords) {
      if (keyword instanceof String word && !word.isBlank() && Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(word.strip())
          + "(?![\\p{L}\\p{N}])", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE).matcher(turn.message()).find()) {
        return word.strip();
      }
    }
    return null;
  }
}
