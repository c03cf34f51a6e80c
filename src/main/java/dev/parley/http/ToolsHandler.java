package dev.parley.http;

import dev.parley.common.Clients;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/bots/{id}/tools/{name}/test} {@code {arguments}}: the admin's "test this tool" — one call of the
 * bot's tool through the tool verticle, as a chat turn would make it (schema check, URL rules, timeout, size cap,
 * rate limit), answering {@code {status, content, latency_ms, error?}}. The {@code handoff} tool acts on a
 * conversation and is not tested this way (422); an {@code mcp} tool is tested with {@code {mcp_tool, arguments}}.
 *
 * <p>{@code POST /api/bots/{id}/tools/{name}/refresh}: lists an {@code mcp} tool's server again (replacing the tool
 * verticle's cached list), answering {@code {tools: [{name, exposed_as, description, parameters, allowed}]}}; 422 for
 * another type of tool or a refused URL, 502/504 when the server fails or does not answer. Both: editors and up.
 */
final class ToolsHandler {

  static final String TEST_SESSION = "tool-test";
  /** In a test of an mcp tool: which of the server's tools to call. */
  static final String MCP_TOOL = "mcp_tool";

  private final Clients clients;

  ToolsHandler(Clients clients) {
    this.clients = clients;
  }

  void mount(Router router) {
    router.post("/api/bots/:botId/tools/:toolName/test").handler(this::test);
    router.post("/api/bots/:botId/tools/:toolName/refresh").handler(this::refresh);
  }

  /** The bot's tool named in the path, or 404. */
  private Future<JsonObject> tool(String requestId, String botId, String name) {
    return clients.bots().getForChat(requestId, botId).compose(bot -> {
      for (Object item : bot.getJsonArray(Fields.TOOLS, new JsonArray())) {
        if (item instanceof JsonObject candidate && name.equals(candidate.getString(Fields.NAME))) {
          return Future.succeededFuture(candidate);
        }
      }
      return Future.failedFuture(ParleyException.notFound("Tool"));
    });
  }

  private void refresh(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String requestId = RequestIds.get(ctx);
    tool(requestId, botId, ctx.pathParam("toolName")).compose(tool -> "mcp".equals(tool.getString("type"))
            ? clients.tools().list(requestId, botId, tool, true)
            : Future.failedFuture(ParleyException.invalid(Fields.TOOL, "Only an mcp tool lists tools")))
        .onComplete(Replies.json(ctx, 200, tools -> new JsonObject().put(Fields.TOOLS, tools)));
  }

  private void test(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String name = ctx.pathParam("toolName");
    JsonObject body = JsonBodies.object(ctx);
    Object arguments = body.getValue(Fields.ARGUMENTS) == null ? new JsonObject() : body.getValue(Fields.ARGUMENTS);
    if (!(arguments instanceof JsonObject)) {
      throw ParleyException.invalid(Fields.ARGUMENTS, "'arguments' must be an object");
    }
    Object mcpTool = body.getValue(MCP_TOOL);
    String requestId = RequestIds.get(ctx);
    tool(requestId, botId, name).compose(tool -> {
      if ("handoff".equals(tool.getString("type"))) {
        return Future.failedFuture(ParleyException.invalid(Fields.TOOL,
            "The handoff tool acts on a conversation: try it in the chat"));
      }
      if ("mcp".equals(tool.getString("type"))) {
        if (!(mcpTool instanceof String inner) || inner.isEmpty() || inner.length() > 128) {
          return Future.failedFuture(ParleyException.invalid(MCP_TOOL, "'mcp_tool' must name one of the MCP server's tools"));
        }
        tool = tool.copy().put(MCP_TOOL, inner);
      }
      return clients.tools().call(requestId, botId, TEST_SESSION, tool, arguments);
    }).onComplete(Replies.json(ctx, 200, result -> result));
  }
}
