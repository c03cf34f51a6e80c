package dev.parley.http;

import dev.parley.common.AccountClient;
import dev.parley.common.ConversationClient;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.Role;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * The agents' side (admin, agent and up, bots in scope; {@link AccessRules}): {@code GET /api/inbox?state=&bot_id=}
 * (the conversations waiting, with a person and recently active, unread counts and assignee), {@code GET
 * /api/inbox/events} ({@link InboxChannels}) and, on {@code /api/bots/{bot_id}/conversations/{conversation_id}},
 * {@code POST …/assign {user_id?}}, {@code …/messages {text}}, {@code …/notes {text}}, {@code …/release},
 * {@code …/close}: each answers the conversation's {@code {state, assignee_id?, assignee_name?}} (and
 * {@code message_id} for a message or note). 404 for an unknown conversation, 409 {@code conversation_held} when
 * another agent holds it (owners and admins may), 409 {@code conversation_closed} for a message to a closed one,
 * 422 for a bad text or an assignee who is not an agent of the bot.
 */
final class InboxRoutes {

  private static final Set<String> STATES = Set.of("bot", "waiting", "human", "closed");

  private final ConversationClient conversations;
  private final AccountClient accounts;
  private final InboxChannels channels;

  InboxRoutes(ConversationClient conversations, AccountClient accounts, InboxChannels channels) {
    this.conversations = conversations;
    this.accounts = accounts;
    this.channels = channels;
  }

  void mount(Router router) {
    router.get("/api/inbox").handler(this::list);
    router.get("/api/inbox/events").handler(channels::open);
    String conversation = "/api/bots/:botId/conversations/:conversationId";
    router.post(conversation + "/assign").handler(this::assign);
    router.post(conversation + "/messages").handler(ctx -> message(ctx, false));
    router.post(conversation + "/notes").handler(ctx -> message(ctx, true));
    router.post(conversation + "/release").handler(ctx -> conversations.release(RequestIds.get(ctx), BotsHandler.botId(ctx),
        conversationId(ctx), actor(ctx)).onComplete(Replies.json(ctx, 200, InboxRoutes::shown)));
    router.post(conversation + "/close").handler(ctx -> conversations.close(RequestIds.get(ctx), BotsHandler.botId(ctx),
        conversationId(ctx), actor(ctx)).onComplete(Replies.json(ctx, 200, InboxRoutes::shown)));
  }

  private void list(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    String state = ctx.queryParams().get("state");
    if (state != null && !state.isEmpty() && !STATES.contains(state)) {
      throw ParleyException.badRequest("invalid_parameter", "'state' must be bot, waiting, human or closed");
    }
    String botId = ctx.queryParams().get("bot_id");
    Set<String> bots = principal.botIds();
    if (botId != null && !botId.isEmpty()) {
      Ids.requireEntityId(botId, "Bot");
      if (!principal.covers(botId)) {
        throw ParleyException.notFound("Bot");
      }
      bots = Set.of(botId);
    }
    conversations.inbox(RequestIds.get(ctx), bots, state == null || state.isEmpty() ? null : state, 200)
        .onComplete(Replies.json(ctx, 200, inbox -> inbox));
  }

  private void assign(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String conversationId = conversationId(ctx);
    JsonObject body = ctx.body() == null || ctx.body().length() <= 0 ? new JsonObject() : JsonBodies.object(ctx);
    Object userId = body.getValue(Fields.USER_ID);
    String requestId = RequestIds.get(ctx);
    JsonObject actor = actor(ctx);
    Future<JsonObject> assignee;
    if (userId == null || userId.equals(actor.getString(Fields.USER_ID))) {
      assignee = Future.succeededFuture(null);
    } else if (!(userId instanceof String id) || !Ids.isEntityId(id)) {
      throw ParleyException.invalid(Fields.USER_ID, "'user_id' must be a user's id");
    } else {
      assignee = accounts.getUser(requestId, id)
          .recover(failure -> Future.failedFuture(ParleyException.invalid(Fields.USER_ID, "No such user")))
          .map(user -> agentOf(user, botId));
    }
    assignee.compose(who -> conversations.assign(requestId, botId, conversationId, actor, who))
        .onComplete(Replies.json(ctx, 200, InboxRoutes::shown));
  }

  /** {@code {user_id, name}} of a user who may have the bot's conversations; 422 otherwise. */
  private static JsonObject agentOf(JsonObject user, String botId) {
    Role role = Role.parse(user.getString(Fields.ROLE));
    JsonArray bots = user.getJsonArray(Fields.BOT_IDS);
    boolean enabled = !Boolean.TRUE.equals(user.getBoolean("disabled"));
    if (role == null || !role.atLeast(Role.AGENT) || !enabled || (bots != null && !bots.contains(botId))) {
      throw ParleyException.invalid(Fields.USER_ID, "That user is not an agent of this bot");
    }
    String name = user.getString(Fields.NAME);
    return new JsonObject().put(Fields.USER_ID, user.getString("id"))
        .put(Fields.NAME, name == null || name.isBlank() ? user.getString(Fields.EMAIL) : name);
  }

  private void message(RoutingContext ctx, boolean note) {
    JsonObject body = JsonBodies.object(ctx);
    Object text = body.getValue(Fields.TEXT);
    if (!(text instanceof String words) || words.isBlank()) {
      throw ParleyException.invalid(Fields.TEXT, "'text' must be a non-empty string");
    }
    conversations.message(RequestIds.get(ctx), BotsHandler.botId(ctx), conversationId(ctx), actor(ctx), words, note)
        .onComplete(Replies.json(ctx, 201, InboxRoutes::shown));
  }

  /** The person acting, as the conversation records them: {@code {user_id, name, role}}. */
  static JsonObject actor(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    String userId = principal.userId() != null ? principal.userId() : principal.kind();
    String name = principal.name() != null && !principal.name().isBlank() ? principal.name()
        : principal.email() != null ? principal.email() : "Administrator";
    return new JsonObject().put(Fields.USER_ID, userId).put(Fields.NAME, name).put(Fields.ROLE, principal.role().wire());
  }

  private static JsonObject shown(JsonObject reply) {
    JsonObject shown = reply.copy();
    shown.remove("changed");
    return shown;
  }

  private static String conversationId(RoutingContext ctx) {
    return Ids.requireEntityId(ctx.pathParam("conversationId"), "Conversation");
  }
}
