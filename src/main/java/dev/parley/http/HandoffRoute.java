package dev.parley.http;

import dev.parley.common.ConversationClient;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/chat/{bot_id}/session/{session_id}/handoff {reason?}} (public, behind {@link ChatAccess} and the
 * write limits): the visitor asks for a person. 202 {@code {state, message}}: {@code waiting} with the bot's
 * {@code handoff.message_waiting} (or the state it already was in, {@code human}); 409 {@code handoff_disabled} when
 * the bot's handoff is off; 422 for a reason that is not a string of at most 500 characters. The body may be empty.
 */
final class HandoffRoute {

  private final ConversationClient conversations;

  HandoffRoute(ConversationClient conversations) {
    this.conversations = conversations;
  }

  void mount(Router router) {
    router.post("/api/chat/:botId/session/:sessionId/handoff").handler(this::handoff);
  }

  private void handoff(RoutingContext ctx) {
    String sessionId = Ids.requireSessionId(ctx.pathParam("sessionId"));
    JsonObject body = ctx.body() == null || ctx.body().length() <= 0 ? new JsonObject() : JsonBodies.object(ctx);
    Object reason = body.getValue(Fields.REASON);
    if (reason != null && (!(reason instanceof String text) || text.length() > 500)) {
      throw ParleyException.invalid(Fields.REASON, "'reason' must be a string of at most 500 characters");
    }
    JsonObject handoff = ((JsonObject) ctx.get(ChatAccess.BOT)).getJsonObject(Fields.HANDOFF, new JsonObject());
    if (!handoff.getBoolean("enabled", false)) {
      throw new ParleyException(ErrorCodes.CONFLICT, "handoff_disabled", "This bot does not hand conversations to people");
    }
    conversations.handoff(RequestIds.get(ctx), BotsHandler.botId(ctx), sessionId, (String) reason, "visitor")
        .onComplete(Replies.json(ctx, 202, handed -> new JsonObject().put(Fields.STATE, handed.getString(Fields.STATE))
            .put("message", handoff.getString("message_waiting"))));
  }
}
