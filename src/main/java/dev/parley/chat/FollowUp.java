package dev.parley.chat;

import dev.parley.common.Addresses;
import dev.parley.common.ConversationClient;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.MemoryClient;
import dev.parley.common.PiiRedactor;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * A visitor's follow-up request, left when no person was there: the conversation waits for a person with the reason
 * {@code follow_up} ({@code parley.conversation.handoff}, trigger {@code visitor}, with the contact: also when it was
 * waiting already, after the offline handoff); the visitor's message is stored in it
 * as theirs, headed by their name and address (so the inbox, the logs and the export show it); and
 * {@code parley.events.conversation.follow_up} is published (name and address, no message text) — the e-mail to the
 * bot's people goes from there. For a bot that redacts what it stores, the message is redacted; the name and address,
 * given to be contacted, are not.
 */
public final class FollowUp {

  private final MemoryClient memory;
  private final ConversationClient conversations;
  private final EventBus eventBus;

  public FollowUp(MemoryClient memory, ConversationClient conversations, EventBus eventBus) {
    this.memory = memory;
    this.conversations = conversations;
    this.eventBus = eventBus;
  }

  /** Completes with {@code {state, conversation_id}} once the request is stored. */
  public Future<JsonObject> submit(String requestId, JsonObject bot, String sessionId, String name, String email,
      String message) {
    String botId = bot.getString(Fields.ID);
    String text = PiiRedactor.Mode.of(bot).stored() ? PiiRedactor.redact(message) : message;
    long now = System.currentTimeMillis();
    JsonObject record = new JsonObject().put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, sessionId)
        .put(Fields.USER, new JsonObject().put(Fields.ID, Ids.ordered())
            .put(Fields.CONTENT, "Follow-up request from " + name + " <" + email + ">:\n\n" + text)
            .put(Fields.CREATED_AT, now))
        .putNull(Fields.ASSISTANT);
    return conversations.followUp(requestId, botId, sessionId, name, email)
        .compose(state -> memory.append(requestId, record).map(stored -> state))
        .map(state -> {
          eventBus.publish(Addresses.EVENTS_CONVERSATION_FOLLOW_UP, new JsonObject().put(Fields.BOT_ID, botId)
              .put(Fields.SESSION_ID, sessionId).put(Fields.CONVERSATION_ID, state.getString(Fields.CONVERSATION_ID))
              .put(Fields.STATE, state.getString(Fields.STATE)).put(Fields.REASON, "follow_up")
              .put(Fields.NAME, name).put(Fields.EMAIL, email).put(Fields.AT, now));
          return new JsonObject().put(Fields.STATE, state.getString(Fields.STATE))
              .put(Fields.CONVERSATION_ID, state.getString(Fields.CONVERSATION_ID));
        });
  }
}
