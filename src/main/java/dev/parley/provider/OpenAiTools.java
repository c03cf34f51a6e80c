package dev.parley.provider;

import dev.parley.common.Fields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Tool calling on OpenAI Chat Completions: the neutral tools, choice and messages of a {@link ModelCall} in the
 * wire format ({@code tools:[{type:"function", function:{name, description, parameters}}]}, {@code tool_choice},
 * {@code {role:"assistant", content, tool_calls:[{id, type:"function", function:{name, arguments}}]}},
 * {@code {role:"tool", tool_call_id, content}}), and the {@code message.tool_calls} of an answer read back.
 * OpenAI has no error flag on a tool result: a result with {@code is_error} is sent as its content alone.
 */
final class OpenAiTools {

  private OpenAiTools() {
  }

  /** Adds {@code tools} and {@code tool_choice} to the body when the call offers tools. */
  static void request(ModelCall call, JsonObject body) {
    if (call.tools() == null) {
      return;
    }
    JsonArray tools = new JsonArray();
    for (Object item : call.tools()) {
      JsonObject tool = (JsonObject) item;
      tools.add(new JsonObject().put("type", "function")
          .put("function", ToolRequest.named(tool).put("parameters", tool.getJsonObject(Fields.PARAMETERS))));
    }
    body.put("tools", tools);
    ToolRequest.ToolChoice choice = call.toolChoice();
    if (choice != null) {
      body.put("tool_choice", "tool".equals(choice.mode())
          ? new JsonObject().put("type", "function").put("function", new JsonObject().put("name", choice.name()))
          : choice.mode());
    }
  }

  /** One neutral message in the wire format. */
  static JsonObject message(JsonObject m) {
    String role = m.getString(Fields.ROLE);
    if (m.size() == 2 && m.getValue(Fields.CONTENT) instanceof String
        && (Fields.USER.equals(role) || Fields.ASSISTANT.equals(role))) {
      return m; // {role, content}: the wire's shape already, sent as it is (the body is encoded, never changed)
    }
    if (Fields.TOOL.equals(role)) {
      return new JsonObject().put("role", "tool").put("tool_call_id", m.getString(Fields.TOOL_CALL_ID))
          .put("content", m.getString(Fields.CONTENT));
    }
    JsonObject out = new JsonObject().put("role", role).put("content", m.getString(Fields.CONTENT));
    JsonArray calls = m.getJsonArray(Fields.TOOL_CALLS);
    if (calls == null) {
      return out;
    }
    if (out.getString("content").isEmpty()) {
      out.putNull("content");
    }
    JsonArray wire = new JsonArray();
    for (Object item : calls) {
      JsonObject call = (JsonObject) item;
      wire.add(new JsonObject().put("id", call.getString("id")).put("type", "function")
          .put("function", new JsonObject().put("name", call.getString(Fields.NAME))
              .put("arguments", arguments(call.getJsonObject(Fields.ARGUMENTS)))));
    }
    return out.put("tool_calls", wire);
  }

  /** The arguments as the model wrote them: the raw text of unreadable ones, else the JSON text. */
  private static String arguments(JsonObject arguments) {
    if (arguments.size() == 1 && arguments.getValue(Fields.RAW) instanceof String raw) {
      return raw;
    }
    return arguments.encode();
  }

  /** The tool calls of an answer's {@code message}, told to {@code meter} as output. */
  static JsonArray calls(JsonObject message, Meter meter) {
    ToolCallParts parts = new ToolCallParts(meter, Integer.MAX_VALUE);
    if (message.getValue("tool_calls") instanceof JsonArray calls) {
      for (int i = 0; i < calls.size(); i++) {
        fragment(parts::add, calls.getValue(i), i);
      }
    }
    return parts.result();
  }

  /** A (piece of a) call of {@code tool_calls}, whole or streamed, keyed by its {@code index} when it has one. */
  static void fragment(ToolCallParts.Sink parts, Object item, int position) {
    if (!(item instanceof JsonObject call)) {
      throw ProviderFailure.protocol("a tool call that is not an object");
    }
    JsonObject function = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
    int index = call.getValue("index") instanceof Number n ? n.intValue() : position;
    parts.add(index, call.getValue("id") instanceof String id ? id : null,
        function.getValue("name") instanceof String name ? name : null,
        function.getValue("arguments") instanceof String arguments ? arguments : null);
  }
}
