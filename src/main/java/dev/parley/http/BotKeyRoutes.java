package dev.parley.http;

import dev.parley.common.AccountClient;
import dev.parley.common.BotClient;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * A bot's API keys, which open it to {@code /v1} and {@code /mcp} ({@link OpenAiRoutes}, {@link McpRoutes}):
 * {@code POST /api/bots/{id}/api-keys {name}} answers 201 with the key ({@code pk_…}) once, {@code GET} lists them
 * without it, {@code DELETE /api/bots/{id}/api-keys/{key_id}} revokes one at once. Editors and up (the
 * {@link AccessRules} rows); like every admin write, audited by {@link AuditTrail} (the key itself is never in the
 * entry: only the response's id is).
 */
final class BotKeyRoutes {

  static final String KEY = "pk_";

  private final AccountClient accounts;
  private final BotClient bots;

  BotKeyRoutes(AccountClient accounts, BotClient bots) {
    this.accounts = accounts;
    this.bots = bots;
  }

  void mount(Router router) {
    router.post("/api/bots/:botId/api-keys").handler(this::create);
    router.get("/api/bots/:botId/api-keys").handler(ctx -> {
      String botId = BotsHandler.botId(ctx);
      bots.get(RequestIds.get(ctx), botId).compose(bot -> accounts.listBotKeys(RequestIds.get(ctx), botId))
          .onComplete(Replies.json(ctx, 200, keys -> new JsonObject().put("keys", keys)));
    });
    router.delete("/api/bots/:botId/api-keys/:keyId").handler(ctx -> {
      String botId = BotsHandler.botId(ctx);
      String keyId = Ids.requireEntityId(ctx.pathParam("keyId"), "API key");
      accounts.deleteBotKey(RequestIds.get(ctx), botId, keyId).onComplete(Replies.noContent(ctx));
    });
  }

  private void create(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    JsonObject body = JsonBodies.object(ctx);
    String name = body.getValue(Fields.NAME) instanceof String n ? n : null;
    String key = Secrets.make(KEY);
    bots.get(RequestIds.get(ctx), botId)
        .compose(bot -> accounts.createBotKey(RequestIds.get(ctx), botId, name, Secrets.hash(key), Secrets.hint(key)))
        .onComplete(Replies.json(ctx, 201, created -> created.put("key", key)));
  }
}
