package dev.parley.http;

import dev.parley.chat.FollowUp;
import dev.parley.chat.HandoffAvailability;
import dev.parley.common.ConversationClient;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.MailDomains;
import dev.parley.common.ParleyException;
import dev.parley.common.UnicodeText;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * The visitor's side when no person is there (public, behind {@link ChatAccess} and the write limits):
 * <ul>
 *   <li>before {@link HandoffRoute}: when the bot's handoff is on but it is outside its {@code hours} or no agent of it
 *   has the inbox open ({@link HandoffAvailability}), the handoff still happens here and answers 202
 *   {@code {state, offline: true, message}} with the bot's {@code message_offline}; otherwise (and for a request it
 *   would refuse) the handoff route answers;
 *   <li>{@code POST /api/chat/{bot_id}/session/{session_id}/follow-up {name, email, message}} → 202
 *   {@code {state, conversation_id}}: the conversation waits for a person as a follow-up ({@link FollowUp}). 409
 *   {@code handoff_disabled} when the bot's handoff is off; 422 naming the field for a name that is not 1–100
 *   characters on one line (no control or format character), an e-mail address that is not one (at most 254 characters), a message that is not 1–4,000 characters,
 *   or any other field.
 * </ul>
 */
final class FollowUpRoutes {

  private static final Set<String> FIELDS = Set.of(Fields.NAME, Fields.EMAIL, Fields.MESSAGE);

  private final HandoffAvailability availability;
  private final FollowUp followUp;
  private final ConversationClient conversations;

  FollowUpRoutes(HandoffAvailability availability, FollowUp followUp, ConversationClient conversations) {
    this.availability = availability;
    this.followUp = followUp;
    this.conversations = conversations;
  }

  void mount(Router router) {
    router.post("/api/chat/:botId/session/:sessionId/handoff").handler(this::offlineHandoff);
    router.post("/api/chat/:botId/session/:sessionId/follow-up").handler(this::followUp);
  }

  private void offlineHandoff(RoutingContext ctx) {
    JsonObject bot = ctx.get(ChatAccess.BOT);
    if (!handoffEnabled(bot)) {
      ctx.next();
      return;
    }
    availability.of(RequestIds.get(ctx), bot).onComplete(checked -> {
      if (checked.failed() || !checked.result().getBoolean(Fields.OFFLINE, false)) {
        ctx.next();
        return;
      }
      handoff(ctx, checked.result().getString(Fields.MESSAGE));
    });
  }

  /** The handoff while no one is there; a request the handoff route would refuse is left to it. */
  private void handoff(RoutingContext ctx, String offlineMessage) {
    String sessionId = ctx.pathParam("sessionId");
    JsonObject body;
    try {
      body = ctx.body() == null || ctx.body().length() <= 0 ? new JsonObject() : JsonBodies.object(ctx);
    } catch (ParleyException refused) {
      ctx.next();
      return;
    }
    Object reason = body.getValue(Fields.REASON);
    if (!Ids.isSessionId(sessionId) || reason != null && !(reason instanceof String text && text.length() <= 500)) {
      ctx.next();
      return;
    }
    conversations.handoff(RequestIds.get(ctx), BotsHandler.botId(ctx), sessionId, (String) reason, "visitor")
        .onComplete(Replies.json(ctx, 202, handed -> new JsonObject().put(Fields.STATE, handed.getString(Fields.STATE))
            .put(Fields.OFFLINE, true).put(Fields.MESSAGE, offlineMessage)));
  }

  private void followUp(RoutingContext ctx) {
    String sessionId = Ids.requireSessionId(ctx.pathParam("sessionId"));
    JsonObject body = JsonBodies.object(ctx);
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw ParleyException.invalid(field, "A follow-up has name, email and message only");
      }
    }
    String name = text(body, Fields.NAME, 100);
    // the name heads the stored message ("Follow-up request from <name> <email>:") and the agents' mail: one line
    if (UnicodeText.hasControlOrFormat(name)) {
      throw ParleyException.invalid(Fields.NAME, "'name' must be one line, without control characters");
    }
    String email = text(body, Fields.EMAIL, 254);
    // it becomes the agents' mail's Reply-To: one plain address, never a display name or a list
    if (!MailDomains.isPlainAddress(email)) {
      throw ParleyException.invalid(Fields.EMAIL, "'email' must be an e-mail address");
    }
    String message = text(body, Fields.MESSAGE, 4_000);
    JsonObject bot = ctx.get(ChatAccess.BOT);
    if (!handoffEnabled(bot)) {
      throw new ParleyException(ErrorCodes.CONFLICT, "handoff_disabled", "This bot does not hand conversations to people");
    }
    followUp.submit(RequestIds.get(ctx), bot, sessionId, name, email, message)
        .onComplete(Replies.json(ctx, 202, stored -> stored));
  }

  private static boolean handoffEnabled(JsonObject bot) {
    return bot.getValue(Fields.HANDOFF) instanceof JsonObject handoff && handoff.getBoolean("enabled", false);
  }

  private static String text(JsonObject body, String field, int max) {
    Object value = body.getValue(field);
    if (!(value instanceof String text) || text.isBlank() || text.length() > max || text.indexOf('\0') >= 0) {
      throw ParleyException.invalid(field, "'" + field + "' must be a text of 1 to " + max + " characters");
    }
    return text.strip();
  }
}
