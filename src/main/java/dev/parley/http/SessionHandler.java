package dev.parley.http;

import dev.parley.common.Citations;
import dev.parley.common.ConversationClient;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.MemoryClient;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** The visitor's side of a conversation: read it back, clear it, rate an answer (a "down" may ask for a person). */
final class SessionHandler {

  /**
   * What a visitor sees of a message (and its sources, as the bot's citation mode allows); costs, tokens
   * and model details are for operators.
   */
  private static final String[] PUBLIC_FIELDS = {"id", "role", "content", "status", "created_at", "feedback"};

  private final MemoryClient memory;
  private final ConversationClient conversations;

  SessionHandler(MemoryClient memory, ConversationClient conversations) {
    this.memory = memory;
    this.conversations = conversations;
  }

  void mount(Router router) {
    router.get("/api/chat/:botId/session/:sessionId").handler(this::get);
    router.delete("/api/chat/:botId/session/:sessionId").handler(this::clear);
    router.post("/api/chat/:botId/messages/:messageId/feedback").handler(this::feedback);
  }

  private void get(RoutingContext ctx) {
    Citations citations = Citations.ofBot(ctx.get(ChatAccess.BOT));
    memory.messages(RequestIds.get(ctx), BotsHandler.botId(ctx), sessionId(ctx)).onComplete(Replies.json(ctx, 200, session -> {
      JsonArray messages = new JsonArray();
      for (Object stored : session.getJsonArray(Fields.MESSAGES)) {
        JsonObject message = new JsonObject();
        for (String field : PUBLIC_FIELDS) {
          message.put(field, ((JsonObject) stored).getValue(field));
        }
        message.put(Fields.SOURCES, citations.shape(((JsonObject) stored).getJsonArray(Fields.SOURCES)));
        messages.add(message);
      }
      return new JsonObject().put(Fields.SESSION_ID, session.getString(Fields.SESSION_ID)).put(Fields.MESSAGES, messages);
    }));
  }

  private void clear(RoutingContext ctx) {
    memory.clear(RequestIds.get(ctx), BotsHandler.botId(ctx), sessionId(ctx)).onComplete(Replies.noContent(ctx));
  }

  private void feedback(RoutingContext ctx) {
    String messageId = Ids.requireEntityId(ctx.pathParam("messageId"), "Message");
    JsonObject body = JsonBodies.object(ctx);
    Object rating = body.getValue(Fields.RATING);
    Object comment = body.getValue(Fields.COMMENT);
    if (!"up".equals(rating) && !"down".equals(rating)) {
      throw ParleyException.invalid(Fields.RATING, "'rating' must be \"up\" or \"down\"");
    }
    if (comment != null && !(comment instanceof String)) {
      throw ParleyException.invalid(Fields.COMMENT, "'comment' must be a string");
    }
    String requestId = RequestIds.get(ctx);
    String botId = BotsHandler.botId(ctx);
    memory.feedback(requestId, botId, messageId, (String) rating, (String) comment)
        .compose(rated -> "down".equals(rating) && negativeFeedbackHandsOff(ctx.get(ChatAccess.BOT))
            && rated.getString(Fields.SESSION_ID) != null
            ? conversations.handoff(requestId, botId, rated.getString(Fields.SESSION_ID), "negative feedback", "negative_feedback")
                .map(handed -> rated.put(Fields.STATE, handed.getString(Fields.STATE)))
            : Future.succeededFuture(rated))
        .onComplete(Replies.json(ctx, 200, result -> {
          result.remove(Fields.SESSION_ID);
          return result;
        }));
  }

  /** A bot whose handoff is on with {@code triggers.negative_feedback}: a "down" rating asks for a person. */
  private static boolean negativeFeedbackHandsOff(JsonObject bot) {
    JsonObject handoff = bot == null ? null : bot.getJsonObject(Fields.HANDOFF);
    return handoff != null && handoff.getBoolean("enabled", false)
        && handoff.getJsonObject("triggers", new JsonObject()).getBoolean("negative_feedback", false);
  }

  private static String sessionId(RoutingContext ctx) {
    return Ids.requireSessionId(ctx.pathParam("sessionId"));
  }
}
