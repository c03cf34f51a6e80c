package dev.parley.http;

import dev.parley.common.AccountClient;
import dev.parley.common.BotClient;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * First step of {@code /v1} and {@code /mcp}: {@code Authorization: Bearer pk_…}, a live API key of a bot
 * ({@link BotKeyRoutes}), else 401 {@code invalid_api_key}. The key's {@code {key_id, bot_id}} is put in the context
 * ({@link #of}). Only the key's SHA-256 crosses the bus.
 */
final class BotKeyAuth implements Handler<RoutingContext> {

  private static final String KEY = "parley.bot_key";

  private final AccountClient accounts;

  BotKeyAuth(AccountClient accounts) {
    this.accounts = accounts;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
    if (key == null || !key.startsWith(BotKeyRoutes.KEY) || key.length() > 100) {
      ctx.fail(unauthorized());
      return;
    }
    accounts.checkBotKey(RequestIds.get(ctx), Secrets.hash(key)).onComplete(checked -> {
      if (checked.failed()) {
        Replies.fail(ctx, checked.cause());
        return;
      }
      ctx.put(KEY, checked.result());
      ctx.next();
    });
  }

  /** The key of the request: {@code {key_id, bot_id}}. */
  static JsonObject of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /** Whether the request's key opens bot {@code botId}. */
  static boolean opens(RoutingContext ctx, String botId) {
    return botId != null && botId.equals(of(ctx).getString(Fields.BOT_ID));
  }

  /** A handler that loads the bot the request's key opens into the context ({@link ChatAccess#BOT}) for a turn. */
  static Handler<RoutingContext> loadBot(BotClient bots) {
    return ctx -> bots.getForChat(RequestIds.get(ctx), of(ctx).getString(Fields.BOT_ID)).onComplete(found -> {
      if (found.failed()) {
        Replies.fail(ctx, found.cause());
        return;
      }
      ctx.put(ChatAccess.BOT, found.result());
      ctx.next();
    });
  }

  static ParleyException unauthorized() {
    return new ParleyException(ErrorCodes.UNAUTHORIZED, "invalid_api_key",
        "Send an API key of the bot: Authorization: Bearer pk_…");
  }
}
