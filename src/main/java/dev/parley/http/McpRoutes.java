package dev.parley.http;

import dev.parley.common.BotClient;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Hashes;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.UnicodeText;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code /mcp}: the bot a key opens ({@link BotKeyAuth}) as an MCP server over Streamable HTTP, written here on
 * Vert.x rather than by adapting the SDK's server transport (which would bring Reactor and a second JSON stack into
 * the application for four methods). Each JSON-RPC request is one {@code POST} answered with one JSON response:
 * {@code initialize} (the client's protocol version when it is one of {@link #VERSIONS}, else the latest; the
 * answer carries {@code Mcp-Session-Id}), {@code ping}, {@code tools/list} and {@code tools/call} ({@link McpTools});
 * notifications are accepted with 202. No server-initiated stream: {@code GET} is 405, as the transport allows.
 * <p>The session id is stateless: a nonce and its digest with the key's id, so that any instance or node can check
 * it (missing after {@code initialize}: 400; not of this key: 404). {@code DELETE} ends nothing that is kept
 * (204); revoking the key ends every session of it. The bot's per-address rate limit counts {@code tools/call}.
 * Errors before a request is read are JSON-RPC errors with the HTTP status ({@link #failure}).
 */
final class McpRoutes {

  static final String SESSION_HEADER = "Mcp-Session-Id";
  static final List<String> VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05");
  private static final String SERVER_VERSION = "1";

  private final BotClient bots;
  private final BotKeyAuth auth;
  private final McpTools tools;
  private final Handler<RoutingContext> limits;

  McpRoutes(BotClient bots, BotKeyAuth auth, McpTools tools, Handler<RoutingContext> limits) {
    this.bots = bots;
    this.auth = auth;
    this.tools = tools;
    this.limits = limits;
  }

  void mount(Router router) {
    router.route("/mcp").failureHandler(McpRoutes::failure);
    router.get("/mcp").handler(ctx -> ctx.response().setStatusCode(405).putHeader("Allow", "POST, DELETE").end());
    router.delete("/mcp").handler(auth).handler(ctx -> {
      session(ctx, false);
      ctx.response().setStatusCode(204).end();
    });
    router.post("/mcp").handler(auth).handler(BotKeyAuth.loadBot(bots)).handler(ctx -> {
      if ("tools/call".equals(JsonBodies.object(ctx).getValue("method"))) {
        limits.handle(ctx);
      } else {
        ctx.next();
      }
    }).handler(this::request);
  }

  private void request(RoutingContext ctx) {
    JsonObject message = JsonBodies.object(ctx);
    Object id = message.getValue("id");
    if (!"2.0".equals(message.getValue("jsonrpc")) || !(message.getValue("method") instanceof String method)) {
      if (message.containsKey("result") || message.containsKey("error")) {
        ctx.response().setStatusCode(202).end();
        return;
      }
      throw new ParleyException(ErrorCodes.BAD_REQUEST, "invalid_request", "Not a JSON-RPC 2.0 request");
    }
    if (!method.equals("initialize")) {
      session(ctx, true);
    }
    if (id == null) {
      ctx.response().setStatusCode(202).end();
      return;
    }
    JsonObject bot = ctx.get(ChatAccess.BOT);
    Object given = message.getValue("params");
    if (given != null && !(given instanceof JsonObject)) {
      throw invalidParams("'params' must be an object");
    }
    JsonObject params = given == null ? new JsonObject() : (JsonObject) given;
    switch (method) {
      case "initialize" -> {
        ctx.response().putHeader(SESSION_HEADER, newSession(keyId(ctx)));
        answer(ctx, id, initialize(params));
      }
      case "ping" -> answer(ctx, id, new JsonObject());
      case "tools/list" -> answer(ctx, id, new JsonObject().put("tools", McpTools.list(bot)));
      case "tools/call" -> {
        if (!(params.getValue(Fields.NAME) instanceof String tool)) {
          throw invalidParams("tools/call needs the tool's 'name'");
        }
        Object arguments = params.getValue("arguments");
        if (arguments != null && !(arguments instanceof JsonObject)) {
          throw invalidParams("tools/call's 'arguments' must be an object");
        }
        tools.call(RequestIds.get(ctx), bot, keyId(ctx), tool,
            arguments == null ? new JsonObject() : (JsonObject) arguments).onComplete(result -> {
          if (result.failed()) {
            Replies.fail(ctx, result.cause());
          } else {
            answer(ctx, id, result.result());
          }
        });
      }
      default -> rpcError(ctx, id, -32601, "Method not found: " + (method.length() > 60 ? UnicodeText.prefix(method, 60) : method));
    }
  }

  private static JsonObject initialize(JsonObject params) {
    String asked = params.getString("protocolVersion");
    return new JsonObject().put("protocolVersion", VERSIONS.contains(asked) ? asked : VERSIONS.get(0))
        .put("capabilities", new JsonObject().put("tools", new JsonObject().put("listChanged", false)))
        .put("serverInfo", new JsonObject().put(Fields.NAME, "parley").put("version", SERVER_VERSION))
        .put("instructions", "Each bot this key opens is two tools: ask_<bot id> asks it a question, search_<bot id> "
            + "searches its knowledge base.");
  }

  /** Checks the request's session (when {@code required}, one must be sent): 400 without it, 404 for another's. */
  private static void session(RoutingContext ctx, boolean required) {
    String session = ctx.request().getHeader(SESSION_HEADER);
    if (session == null) {
      if (required) {
        throw new ParleyException(ErrorCodes.BAD_REQUEST, "session_required", "Send the Mcp-Session-Id of initialize");
      }
      return;
    }
    int dot = session.indexOf('.');
    if (dot < 0 || !session.substring(dot + 1).equals(digest(keyId(ctx), session.substring(0, dot)))) {
      throw new ParleyException(ErrorCodes.NOT_FOUND, "session_not_found", "Unknown session: initialize again");
    }
  }

  private static String newSession(String keyId) {
    String nonce = Ids.uuid().replace("-", "");
    return nonce + "." + digest(keyId, nonce);
  }

  private static String digest(String keyId, String nonce) {
    return Hashes.sha256Hex("parley-mcp|" + keyId + "|" + nonce).substring(0, 32);
  }

  private static String keyId(RoutingContext ctx) {
    return BotKeyAuth.of(ctx).getString(Fields.KEY_ID);
  }

  static ParleyException invalidParams(String message) {
    return new ParleyException(ErrorCodes.BAD_REQUEST, "invalid_params", message);
  }

  private static void answer(RoutingContext ctx, Object id, JsonObject result) {
    Replies.json(ctx, 200, new JsonObject().put("jsonrpc", "2.0").put("id", id).put("result", result));
  }

  private static void rpcError(RoutingContext ctx, Object id, int code, String message) {
    Replies.json(ctx, 200, new JsonObject().put("jsonrpc", "2.0").put("id", id)
        .put("error", new JsonObject().put("code", code).put("message", message)));
  }

  /**
   * A failure as JSON-RPC: wrong params are -32602 with HTTP 200 for the request's id; anything else keeps its HTTP
   * status (401, 404, 413, 429…) with -32700 for unreadable JSON, -32600 for another 4xx and -32603 for a 5xx.
   */
  static void failure(RoutingContext ctx) {
    ParleyException error = ApiErrors.toError(ctx);
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    JsonObject body = JsonBodies.parsed(ctx);
    Object id = body == null ? null : body.getValue("id");
    boolean params = "invalid_params".equals(error.code());
    int code = params ? -32602 : "invalid_json".equals(error.code()) ? -32700 : error.status() >= 500 ? -32603 : -32600;
    if (error.status() == ErrorCodes.UNAUTHORIZED) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"parley\"");
    }
    if (error.retryAfterSeconds() > 0) {
      ctx.response().putHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
    }
    Replies.json(ctx, params ? 200 : error.status(), new JsonObject().put("jsonrpc", "2.0").put("id", id)
        .put("error", new JsonObject().put("code", code).put("message", error.getMessage())
            .put("data", new JsonObject().put("code", error.code()))));
  }
}
