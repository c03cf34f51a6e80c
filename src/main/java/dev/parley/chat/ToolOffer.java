package dev.parley.chat;

import dev.parley.common.Fields;
import dev.parley.common.ToolClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tools a turn offers the model: the bot's tools, each {@code mcp} tool replaced by the tools its server lists
 * and {@code allowed_tools} lets through (listed by the tool verticle, from its cache), under the names the model sees
 * ({@code exposed_as}: {@code <tool name>__<server's tool name>}). A server that cannot be listed offers nothing this
 * turn (logged, the turn goes on); a listed name that would collide with another tool's is left out, and so are MCP
 * tools past {@value #MAX_OFFERED} tools in all.
 * {@link #tool} finds what a call names: the bot's tool, or a copy of the mcp tool with {@code mcp_tool} set to the
 * server's tool.
 */
record ToolOffer(JsonArray offered, Map<String, JsonObject> byName) {

  /** The most tools one model request may carry (the provider's limit); MCP tools past it are left out. */
  static final int MAX_OFFERED = 128;
  private static final Logger LOG = LoggerFactory.getLogger(ToolOffer.class);

  static Future<ToolOffer> of(ToolClient tools, Turn turn) {
    JsonArray configured = turn.bot().getJsonArray(Fields.TOOLS);
    List<Future<JsonArray>> listings = new ArrayList<>();
    for (Object item : configured) {
      JsonObject tool = (JsonObject) item;
      listings.add(!"mcp".equals(tool.getString("type")) ? Future.succeededFuture(null)
          : tools.list(turn.requestId(), turn.botId(), tool, false).recover(failed -> {
            LOG.warn("[{}] The MCP tool {} of bot {} offers nothing this turn: {}", turn.requestId(),
                tool.getString(Fields.NAME), turn.botId(), failed.getMessage());
            return Future.succeededFuture(new JsonArray());
          }));
    }
    return Future.join(listings).transform(done -> {
      Map<String, JsonObject> byName = new LinkedHashMap<>();
      JsonArray offered = new JsonArray();
      for (Object item : configured) {
        JsonObject tool = (JsonObject) item;
        if (!"mcp".equals(tool.getString("type"))) {
          byName.put(tool.getString(Fields.NAME), tool);
          offered.add(offer(tool.getString(Fields.NAME), tool.getString("description", ""),
              tool.getJsonObject("parameters")));
        }
      }
      for (int i = 0; i < configured.size(); i++) {
        JsonArray listed = listings.get(i).result();
        for (Object entry : listed == null ? new JsonArray() : listed) {
          JsonObject one = (JsonObject) entry;
          String name = one.getString("exposed_as");
          if (!one.getBoolean("allowed", false) || byName.containsKey(name) || offered.size() >= MAX_OFFERED) {
            continue;
          }
          byName.put(name, configured.getJsonObject(i).copy().put("mcp_tool", one.getString(Fields.NAME)));
          offered.add(offer(name, one.getString("description", ""), one.getJsonObject("parameters")));
        }
      }
      return Future.succeededFuture(new ToolOffer(offered, byName));
    });
  }

  private static JsonObject offer(String name, String description, JsonObject parameters) {
    return new JsonObject().put(Fields.NAME, name).put("description", description).put("parameters", parameters);
  }

  /** The tool a call names, or null when the turn offers none by that name. */
  JsonObject tool(String name) {
    return byName.get(name);
  }
}
