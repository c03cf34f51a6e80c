package dev.parley.chat;

import dev.parley.common.ConversationClient;
import dev.parley.common.Fields;
import dev.parley.common.HandoffHours;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;

/**
 * Whether a person can answer a bot's visitor now: not outside the bot's {@code handoff.hours}, and an agent covering
 * the bot has the inbox open on some node ({@code parley.inbox.online}). Answers {@code {offline: false}} or
 * {@code {offline: true, message: handoff.message_offline}}. When presence cannot be asked (no HTTP node answers it, a
 * timeout), the bot is not counted offline: the visitor waits as usual and the handoff e-mail still goes out.
 */
public final class HandoffAvailability {

  private final ConversationClient conversations;
  private final Clock clock;

  public HandoffAvailability(ConversationClient conversations, Clock clock) {
    this.conversations = conversations;
    this.clock = clock;
  }

  public Future<JsonObject> of(String requestId, JsonObject bot) {
    JsonObject handoff = bot.getValue(Fields.HANDOFF) instanceof JsonObject settings ? settings : new JsonObject();
    if (handoff.getValue("hours") instanceof JsonObject hours && !HandoffHours.open(hours, clock.instant())) {
      return Future.succeededFuture(offline(handoff));
    }
    return conversations.online(requestId, bot.getString(Fields.ID))
        .recover(failure -> Future.succeededFuture(true))
        .map(online -> online ? new JsonObject().put(Fields.OFFLINE, false) : offline(handoff));
  }

  private static JsonObject offline(JsonObject handoff) {
    return new JsonObject().put(Fields.OFFLINE, true).put(Fields.MESSAGE, handoff.getString("message_offline"));
  }
}
