package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Client of the tool verticle ({@link Addresses#TOOLS_CALL}, {@link Addresses#TOOLS_LIST}): runs one tool of a bot
 * with the model's arguments, or lists the tools of an {@code mcp} tool.
 * The request waits the tool's own {@code timeout_ms} and a little more, so that the verticle's timeout (which
 * gives the model an error result) fires first.
 */
public final class ToolClient {

  static final long MARGIN_MS = 2_000;

  private final Bus bus;

  public ToolClient(Bus bus) {
    this.bus = bus;
  }

  /**
   * Runs {@code tool} (as stored on the bot, its secrets encrypted) for the session with {@code arguments}:
   * {@code {status: done|failed, content, latency_ms, error?}}.
   */
  public Future<JsonObject> call(String requestId, String botId, String sessionId, JsonObject tool, Object arguments) {
    JsonObject body = new JsonObject().put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, sessionId).put(Fields.TOOL, tool)
        .put(Fields.ARGUMENTS, arguments);
    return bus.request(requestId, Addresses.TOOLS_CALL, body, tool.getLong("timeout_ms", 10_000L) + MARGIN_MS);
  }

  /**
   * The tools of the bot's {@code mcp} tool (as stored): {@code [{name, exposed_as, description, parameters,
   * allowed}]}, from the tool verticle's cache unless {@code refresh}.
   */
  public Future<JsonArray> list(String requestId, String botId, JsonObject tool, boolean refresh) {
    JsonObject body = new JsonObject().put(Fields.BOT_ID, botId).put(Fields.TOOL, tool).put("refresh", refresh);
    return bus.request(requestId, Addresses.TOOLS_LIST, body, tool.getLong("timeout_ms", 10_000L) + MARGIN_MS)
        .map(reply -> reply.getJsonArray(Fields.TOOLS, new JsonArray()));
  }
}
