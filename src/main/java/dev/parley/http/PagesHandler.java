package dev.parley.http;

import dev.parley.common.BotClient;
import dev.parley.common.Citations;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The pages people see, from {@code webroot/}: the admin dashboard ({@code /admin/}), a bot's
 * chat page ({@code /chat/{bot_id}}, {@code ?embed=1} inside the widget) and the widget loader
 * ({@code /widget.js}). Every page gets a Content-Security-Policy that allows only Parley's own
 * scripts, styles and API. The admin cannot be framed; the chat page can be framed by Parley
 * itself and by the bot's {@code allowed_origins} (an empty list means any site, as for the chat
 * API). {@link #config} is the public look of a bot that the chat page and the widget read.
 */
final class PagesHandler {

  private static final String BASE = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
      + "base-uri 'none'; form-action 'none'; object-src 'none'; ";
  static final String ADMIN_CSP = BASE + "img-src 'self' data:; frame-src 'self'; frame-ancestors 'none'";
  static final String ASSET_CSP = "default-src 'none'; frame-ancestors 'none'";
  private static final String CHAT_PAGE = "/chat/index.html";
  private static final String[] PUBLIC_WIDGET = {"title", "color", "position", "greeting", "avatar_url",
      "starter_questions", "citations"};

  private final BotClient bots;
  private final String webroot;

  PagesHandler(BotClient bots, String webroot) {
    this.bots = bots;
    this.webroot = webroot.endsWith("/") ? webroot.substring(0, webroot.length() - 1) : webroot;
  }

  void mount(Router router) {
    router.get("/").handler(ctx -> redirect(ctx, "/admin/"));
    router.getWithRegex("^/admin$").handler(ctx -> redirect(ctx, "/admin/"));
    router.getWithRegex("^/admin/.*").handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", ADMIN_CSP).putHeader("X-Frame-Options", "DENY");
      ctx.next();
    });
    router.getWithRegex("^/chat/(?<botId>" + Ids.ENTITY_ID_REGEX + ")/?$").handler(this::chatPage);
    router.get("/widget.js").handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", ASSET_CSP).putHeader("Cache-Control", "public, max-age=300");
      ctx.next();
    });
    router.getWithRegex("^/(?!api/|admin/|widget\\.js$).*").handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", ASSET_CSP);
      ctx.next();
    });
    router.getWithRegex("^(?!/api/).*").handler(StaticHandler.create(webroot).setCachingEnabled(false));
  }

  /**
   * {@code GET /api/chat/{bot_id}/config}, behind {@link ChatAccess}: the bot's name and public
   * widget settings, and of its handoff settings only {@code enabled} and the two messages (never its
   * triggers or hours); never its prompt, model or key.
   */
  static void config(RoutingContext ctx) {
    JsonObject bot = ctx.get(ChatAccess.BOT);
    JsonObject widget = bot.getJsonObject("widget", new JsonObject());
    JsonObject look = new JsonObject();
    for (String field : PUBLIC_WIDGET) {
      look.put(field, widget.getValue(field));
    }
    look.put("citations", Citations.ofBot(bot).wire());
    JsonObject body = new JsonObject()
        .put("id", bot.getString("id"))
        .put("name", bot.getString("name"))
        .put("max_message_chars", bot.getInteger("max_message_chars", 4_000))
        .put("widget", look)
        .put("handoff", publicHandoff(bot.getJsonObject("handoff")));
    Replies.end(ctx.response()
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-cache"), body.encode());
  }

  /** What the chat page needs of the bot's {@code handoff} settings: whether to offer a person, and the two texts. */
  private static JsonObject publicHandoff(JsonObject handoff) {
    JsonObject settings = handoff == null ? new JsonObject() : handoff;
    return new JsonObject()
        .put("enabled", Boolean.TRUE.equals(settings.getValue("enabled")))
        .put("message_waiting", settings.getValue("message_waiting") instanceof String s ? s : null)
        .put("message_offline", settings.getValue("message_offline") instanceof String s ? s : null);
  }

  private void chatPage(RoutingContext ctx) {
    String botId = ctx.pathParam("botId");
    HttpServerResponse response = ctx.response();
    bots.get(RequestIds.get(ctx), botId).onComplete(result -> {
      if (result.failed()) {
        boolean missing = result.cause() instanceof ParleyException e && e.status() == ErrorCodes.NOT_FOUND;
        Replies.end(response.setStatusCode(missing ? 404 : 503)
            .putHeader("Content-Security-Policy", ASSET_CSP)
            .putHeader("Content-Type", "text/html; charset=utf-8")
            .putHeader("Cache-Control", "no-store"), "<!doctype html><meta charset=utf-8><title>Parley</title><p>"
                + (missing ? "This chat does not exist." : "This chat is not available right now. Try again later.")
                + "</p>");
        return;
      }
      JsonObject bot = result.result();
      String page = webroot + CHAT_PAGE;
      // the explicit length is what a HEAD answer (which sends no file) carries
      ctx.vertx().fileSystem().props(page).compose(props -> response.putHeader("Content-Security-Policy", chatCsp(bot))
          .putHeader("Content-Type", "text/html; charset=utf-8")
          .putHeader("Cache-Control", "no-cache")
          .putHeader("Content-Length", String.valueOf(props.size()))
          .sendFile(page))
          .onFailure(failure -> {
            if (!response.headWritten()) {
              ctx.fail(404);
            }
          });
    });
  }

  /** The chat page's policy: framing follows {@code allowed_origins}; images only from Parley and the avatar's origin. */
  static String chatCsp(JsonObject bot) {
    JsonArray origins = bot.getJsonArray("allowed_origins", new JsonArray());
    String ancestors;
    if (origins.isEmpty()) {
      ancestors = "*";
    } else {
      Set<String> list = new LinkedHashSet<>();
      list.add("'self'");
      for (Object origin : origins) {
        if (origin instanceof String text && text.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+")) {
          list.add(text);
        }
      }
      ancestors = String.join(" ", list);
    }
    String avatar = avatarOrigin(bot.getJsonObject("widget", new JsonObject()).getString("avatar_url"));
    return BASE + "img-src 'self' data:" + (avatar == null ? "" : " " + avatar) + "; frame-ancestors " + ancestors;
  }

  private static String avatarOrigin(String url) {
    if (url == null) {
      return null;
    }
    try {
      URI uri = new URI(url);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
          && uri.getHost().matches("[A-Za-z0-9.\\-]+")) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
      }
    } catch (java.net.URISyntaxException bad) {
      // no avatar origin then
    }
    return null;
  }

  private static void redirect(RoutingContext ctx, String to) {
    ctx.response().setStatusCode(302).putHeader("Location", to).end();
  }
}
