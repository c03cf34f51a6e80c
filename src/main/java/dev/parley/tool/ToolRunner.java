package dev.parley.tool;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.RagClient;
import dev.parley.common.ToolSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One tool call: the bot's per-minute limit ({@link CallRate}), the arguments checked against the tool's
 * {@code parameters} ({@link ToolSchema}), then the call by type — {@code http} ({@link HttpTool}), {@code bus}
 * (a request to {@code parley.tool.<name>}), {@code mcp} (the server's tool named by the call's {@code mcp_tool},
 * {@link McpTool}), {@code handoff} ({@code parley.conversation.handoff} with
 * {@code trigger: "tool"}) and {@code knowledge_search} (the bot's retrieval) — each within the tool's
 * {@code timeout_ms}. Whatever happens becomes a result for the model: {@code {status: done, content}} or
 * {@code {status: failed, error, content}} (the content then says what went wrong), with its latency; the call is
 * counted ({@link ToolMetrics}) and published on {@code parley.events.tool.called} without arguments or result.
 */
final class ToolRunner {

  /** On an {@code mcp} tool of a call: which of the server's tools to call (its own name, as listed). */
  static final String MCP_TOOL = "mcp_tool";

  private final Vertx vertx;
  private final Bus bus;
  private final HttpTool http;
  private final McpTool mcp;
  private final RagClient rag;
  private final CallRate rate;
  private final ToolMetrics metrics;
  private final int resultChars;

  ToolRunner(Vertx vertx, HttpTool http, McpTool mcp, RagClient rag, CallRate rate, ToolMetrics metrics,
      int resultChars) {
    this.vertx = vertx;
    this.bus = new Bus(vertx);
    this.http = http;
    this.mcp = mcp;
    this.rag = rag;
    this.rate = rate;
    this.metrics = metrics;
    this.resultChars = resultChars;
  }

  Future<JsonObject> call(String requestId, JsonObject request) {
    Object botId = request.getValue(Fields.BOT_ID);
    Object tool = request.getValue(Fields.TOOL);
    if (!(botId instanceof String bot) || !(tool instanceof JsonObject spec) || !(spec.getValue("type") instanceof String)
        || !(spec.getValue(Fields.NAME) instanceof String)) {
      return Future.failedFuture(ParleyException.invalid(Fields.TOOL, "A tool call needs bot_id and tool {type, name}"));
    }
    String sessionId = request.getString(Fields.SESSION_ID);
    long started = System.currentTimeMillis();
    Future<String> outcome;
    if (!rate.admit(bot, started)) {
      outcome = Future.failedFuture(new ToolFailure("rate_limited", "This assistant has called too many tools in the "
          + "last minute; answer without the tool"));
    } else {
      outcome = checked(spec, request.getValue(Fields.ARGUMENTS))
          .compose(arguments -> run(requestId, bot, sessionId, spec, arguments));
    }
    return outcome.transform(ended -> {
      long latency = System.currentTimeMillis() - started;
      JsonObject result = new JsonObject().put(Fields.LATENCY_MS, latency);
      String reason = null;
      if (ended.succeeded()) {
        result.put(Fields.STATUS, "done").put(Fields.CONTENT, cut(ended.result()));
      } else {
        reason = ended.cause() instanceof ToolFailure failure ? failure.code() : "tool_failed";
        String message = ended.cause() instanceof ToolFailure failure ? failure.getMessage() : "The tool failed";
        result.put(Fields.STATUS, "failed").put(Fields.ERROR, reason).put(Fields.CONTENT, "Error: " + cut(message));
      }
      String type = spec.getString("type");
      String name = spec.getValue(MCP_TOOL) instanceof String inner
          ? McpTool.exposed(spec.getString(Fields.NAME), inner) : spec.getString(Fields.NAME);
      metrics.record(type, name, result.getString(Fields.STATUS), reason, latency);
      vertx.eventBus().publish(Addresses.EVENTS_TOOL_CALLED, new JsonObject().put(Fields.BOT_ID, bot)
          .put(Fields.SESSION_ID, sessionId).put(Fields.TOOL, name).put("type", type)
          .put(Fields.STATUS, result.getString(Fields.STATUS)).put(Fields.LATENCY_MS, latency).put(Fields.ERROR, reason)
          .put("at", System.currentTimeMillis()));
      return Future.succeededFuture(result);
    });
  }

  private static Future<JsonObject> checked(JsonObject tool, Object arguments) {
    if (!(arguments instanceof JsonObject given)) {
      return Future.failedFuture(new ToolFailure("invalid_arguments", "The arguments must be a JSON object"));
    }
    JsonObject schema = tool.getValue("parameters") instanceof JsonObject s ? s : new JsonObject().put("type", "object");
    String violation = ToolSchema.violation(schema, given);
    return violation == null ? Future.succeededFuture(given)
        : Future.failedFuture(new ToolFailure("invalid_arguments", "Invalid arguments: " + violation));
  }

  private Future<String> run(String requestId, String botId, String sessionId, JsonObject tool, JsonObject arguments) {
    long timeoutMs = tool.getLong("timeout_ms", 10_000L);
    return switch (tool.getString("type")) {
      case "http" -> http.call(botId, tool, arguments);
      case "mcp" -> tool.getValue(MCP_TOOL) instanceof String name ? mcp.call(botId, tool, name, arguments)
          : Future.failedFuture(new ToolFailure("tool_unavailable", "Name one of the MCP server's tools"));
      case "bus" -> bus.request(requestId, Addresses.TOOL_PREFIX + tool.getString(Fields.NAME), new JsonObject()
              .put(Fields.BOT_ID, botId).put(Fields.SESSION_ID, sessionId).put(Fields.ARGUMENTS, arguments), timeoutMs)
          .map(reply -> reply.getValue(Fields.CONTENT) instanceof String text ? text : reply.encode())
          .recover(failure -> Future.failedFuture(busFailure(failure, timeoutMs)));
      case "handoff" -> bus.request(requestId, Addresses.CONVERSATION_HANDOFF, new JsonObject().put(Fields.BOT_ID, botId)
              .put(Fields.SESSION_ID, sessionId).put(Fields.REASON, arguments.getString(Fields.REASON))
              .put(Fields.TRIGGER, "tool"), timeoutMs)
          .map(reply -> "The conversation was handed to a person (state: " + reply.getString("state", "waiting")
              + "). Tell the visitor that someone from the team will answer here.")
          .recover(failure -> Future.failedFuture(busFailure(failure, timeoutMs)));
      case "knowledge_search" -> rag.search(requestId, botId, arguments.getString(Fields.QUERY), 4, 0.0, null)
          .map(ToolRunner::passages)
          .recover(failure -> Future.failedFuture(busFailure(failure, timeoutMs)));
      default -> Future.failedFuture(new ToolFailure("tool_unavailable", "This kind of tool is not available"));
    };
  }

  private static String passages(JsonArray found) {
    if (found.isEmpty()) {
      return "Nothing in the knowledge base matches.";
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < found.size(); i++) {
      JsonObject p = found.getJsonObject(i);
      text.append('[').append(i + 1).append("] ").append(p.getString("document_name", ""));
      if (p.getString("heading") != null && !p.getString("heading").isBlank()) {
        text.append(" — ").append(p.getString("heading"));
      }
      text.append('\n').append(p.getString(Fields.TEXT, p.getString("snippet", ""))).append("\n\n");
    }
    return text.toString().strip();
  }

  private static ToolFailure busFailure(Throwable failure, long timeoutMs) {
    if (failure instanceof ParleyException known) {
      if ("timeout".equals(known.code())) {
        return new ToolFailure("timeout", "The tool did not answer within " + timeoutMs + " ms");
      }
      if ("service_unavailable".equals(known.code())) {
        return new ToolFailure("tool_unavailable", "The tool is not available right now");
      }
      return new ToolFailure("tool_failed", "The tool failed: " + ToolFailure.shorten(known.getMessage(), 300));
    }
    return new ToolFailure("tool_failed", "The tool failed");
  }

  private String cut(String text) {
    return text.length() <= resultChars ? text : text.substring(0, resultChars) + "\n…(cut: the result was longer)";
  }
}
