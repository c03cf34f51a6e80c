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
 * conversation and is not tested this way (422).
 */
final class ToolsHandler {

  static final String TEST_SESSION = "tool-test";

  private final Clients clients;

  ToolsHandler(Clients clients) {
    this.clients = clients;
  }

  void mount(Router router) {
    router.post("/api/bots/:botId/tools/:toolName/test").handler(this::test);
  }

  private void test(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String name = ctx.pathParam("toolName");
    JsonObject body = JsonBodies.object(ctx);
    Object arguments = body.getValue(Fields.ARGUMENTS) == null ? new JsonObject() : body.getValue(Fields.ARGUMENTS);
    if (!(arguments instanceof JsonObject)) {
      throw ParleyException.invalid(Fields.ARGUMENTS, "'arguments' must be an object");
    }
    String requestId = RequestIds.get(ctx);
    clients.bots().getForChat(requestId, botId).compose(bot -> {
      JsonObject tool = null;
      for (Object item : bot.getJsonArray(Fields.TOOLS, new JsonArray())) {
        if (item instanceof JsonObject candidate && name.equals(candidate.getString(Fields.NAME))) {
          tool = candidate;
        }
      }
      if (tool == null) {
        return Future.failedFuture(ParleyException.notFound("Tool"));
      }
      if ("handoff".equals(tool.getString("type"))) {
        return Future.failedFuture(ParleyException.invalid(Fields.TOOL,
            "The handoff tool acts on a conversation: try it in the chat"));
      }
      return clients.tools().call(requestId, botId, TEST_SESSION, tool, arguments);
    }).onComplete(Replies.json(ctx, 200, result -> result));
  }
}
