package dev.parley.http;

import dev.parley.chat.Budgets;
import dev.parley.common.Clients;
import dev.parley.common.Ids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The admin bot API: {@code /api/bots…} (mounted behind {@link AdminAuthHandler} and {@link AccessHandler}); the
 * list shows only the bots in the principal's scope.
 */
final class BotsHandler {

  private final Clients clients;
  private final Deploy deploy;

  BotsHandler(Clients clients, Deploy deploy) {
    this.clients = clients;
    this.deploy = deploy;
  }

  void mount(Router router) {
    router.post("/api/bots").handler(this::create);
    router.get("/api/bots").handler(this::list);
    router.get("/api/bots/:botId").handler(this::get);
    router.put("/api/bots/:botId").handler(this::update);
    router.delete("/api/bots/:botId").handler(this::delete);
    router.get("/api/bots/:botId/conversations").handler(this::conversations);
    router.get("/api/bots/:botId/conversations/:conversationId").handler(this::conversation);
    router.get("/api/bots/:botId/stats").handler(this::stats);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    clients.bots().create(RequestIds.get(ctx), body).onComplete(Replies.json(ctx, 201, bot -> {
      ctx.response().putHeader("Location", "/api/bots/" + bot.getString("id"));
      return deploy.withCodes(bot);
    }));
  }

  private void list(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    clients.bots().list(RequestIds.get(ctx)).onComplete(Replies.json(ctx, 200, list -> {
      JsonArray out = new JsonArray();
      for (Object bot : list) {
        if (principal.covers(((JsonObject) bot).getString("id"))) {
          out.add(deploy.withCodes((JsonObject) bot));
        }
      }
      return new JsonObject().put("bots", out);
    }));
  }

  /**
   * One bot with its {@code warnings}, and its knowledge index's {@code embedding_model}, {@code indexed_models} and
   * {@code reindex_needed} when the knowledge component answers (left out when it does not).
   */
  private void get(RoutingContext ctx) {
    String id = botId(ctx);
    String requestId = RequestIds.get(ctx);
    clients.bots().getWithWarnings(requestId, id)
        .compose(bot -> clients.rag().indexStatus(requestId, id)
            .map(index -> bot.put("embedding_model", index.getString("embedding_model"))
                .put("indexed_models", index.getJsonArray("indexed_models"))
                .put("reindex_needed", index.getBoolean("reindex_needed")))
            .otherwise(bot))
        .onComplete(Replies.json(ctx, 200, deploy::withCodes));
  }

  private void update(RoutingContext ctx) {
    String id = botId(ctx);
    JsonObject body = JsonBodies.object(ctx);
    clients.bots().update(RequestIds.get(ctx), id, body).onComplete(Replies.json(ctx, 200, deploy::withCodes));
  }

  private void delete(RoutingContext ctx) {
    clients.bots().delete(RequestIds.get(ctx), botId(ctx)).onComplete(Replies.noContent(ctx));
  }

  private void conversations(RoutingContext ctx) {
    String id = botId(ctx);
    int limit = QueryParams.whole(ctx, "limit", 50, 1, 200);
    int offset = QueryParams.whole(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    String requestId = RequestIds.get(ctx);
    clients.bots().get(requestId, id)
        .compose(bot -> clients.memory().conversations(requestId, id, limit, offset))
        .onComplete(Replies.json(ctx, 200, page -> page));
  }

  private void conversation(RoutingContext ctx) {
    String id = botId(ctx);
    String conversationId = Ids.requireEntityId(ctx.pathParam("conversationId"), "Conversation");
    clients.memory().conversation(RequestIds.get(ctx), id, conversationId).onComplete(Replies.json(ctx, 200, c -> c));
  }

  private void stats(RoutingContext ctx) {
    String id = botId(ctx);
    int days = QueryParams.whole(ctx, "days", 30, 1, 366);
    String requestId = RequestIds.get(ctx);
    clients.bots().get(requestId, id)
        .compose(bot -> clients.memory().stats(requestId, id, days).map(stats -> stats.put("budget", budget(bot, stats))))
        .onComplete(Replies.json(ctx, 200, stats -> stats));
  }

  /** The bot's daily budget and today's spend against it (the last day of the series is today, UTC). */
  private static JsonObject budget(JsonObject bot, JsonObject stats) {
    JsonArray days = stats.getJsonArray("days", new JsonArray());
    JsonObject today = days.isEmpty() ? new JsonObject() : days.getJsonObject(days.size() - 1);
    long tokens = today.getLong("input_tokens", 0L) + today.getLong("output_tokens", 0L);
    double cost = today.getDouble("cost", 0.0);
    JsonObject settings = bot.getJsonObject("budget", new JsonObject());
    return new JsonObject()
        .put("daily_tokens", settings.getValue("daily_tokens"))
        .put("daily_cost", settings.getValue("daily_cost"))
        .put("tokens_today", tokens)
        .put("cost_today", cost)
        .put("exhausted", Budgets.limited(bot) && Budgets.exhausted(bot, tokens, cost));
  }

  static String botId(RoutingContext ctx) {
    return Ids.requireEntityId(ctx.pathParam("botId"), "Bot");
  }
}
