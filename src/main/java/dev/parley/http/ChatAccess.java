package dev.parley.http;

import dev.parley.common.BotClient;
import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import dev.parley.common.WebAddresses;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First step of every public chat route: resolves the bot (404 for unknown ids), then applies
 * its {@code allowed_origins}. An empty list allows any origin; Parley's own origin (the chat
 * page) is always allowed; any other origin gets a 403 and no CORS headers. Answers preflights.
 * Parley's own origin is the one of {@code public_url}, never the request's {@code Host}: a page
 * on a rebound name ({@code evil.example} pointing at Parley) sends a Host that matches its Origin.
 * Origins are compared as {@link WebAddresses#originOrNull} writes them, on both sides.
 */
final class ChatAccess implements Handler<RoutingContext> {

  static final String BOT = "bot";
  private static final Logger LOG = LoggerFactory.getLogger(ChatAccess.class);

  private final BotClient bots;
  private final String ownOrigin;

  ChatAccess(BotClient bots, String publicUrl) {
    this.bots = bots;
    this.ownOrigin = WebAddresses.originOfUrl(publicUrl);
    if (ownOrigin == null) {
      LOG.warn("public_url is not an http(s) URL: the chat page is refused for bots with allowed_origins");
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    bots.getForChat(RequestIds.get(ctx), botId).onComplete(result -> {
      if (result.failed()) {
        Replies.fail(ctx, result.cause());
        return;
      }
      JsonObject bot = result.result();
      String origin = ctx.request().getHeader("Origin");
      if (origin != null) {
        if (!allowed(bot.getJsonArray("allowed_origins", new JsonArray()), origin)) {
          ctx.fail(new ParleyException(ErrorCodes.FORBIDDEN, "origin_not_allowed",
              "This bot does not accept requests from " + safe(origin)));
          return;
        }
        ctx.response().putHeader("Access-Control-Allow-Origin", origin).putHeader("Vary", "Origin");
      }
      if (ctx.request().method() == HttpMethod.OPTIONS) {
        ctx.response()
            .putHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
            .putHeader("Access-Control-Allow-Headers", "Content-Type, Accept, X-Request-Id, Last-Event-ID")
            .putHeader("Access-Control-Max-Age", "600")
            .setStatusCode(204)
            .end();
        return;
      }
      ctx.put(BOT, bot);
      ctx.next();
    });
  }

  private boolean allowed(JsonArray origins, String origin) {
    if (origins.isEmpty()) {
      return true;
    }
    String visitor = WebAddresses.originOrNull(origin);
    if (visitor == null) {
      return false;
    }
    if (visitor.equals(ownOrigin)) {
      return true;
    }
    // entries saved before origins were normalised on save are compared normalised too
    for (Object entry : origins) {
      if (entry instanceof String text && visitor.equals(WebAddresses.originOrNull(text))) {
        return true;
      }
    }
    return false;
  }

  private static String safe(String origin) {
    return origin.length() > 100 ? origin.substring(0, 100) + "…" : origin;
  }
}
