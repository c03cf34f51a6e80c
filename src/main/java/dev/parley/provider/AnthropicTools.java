package dev.parley.provider;

import dev.parley.common.Fields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Tool calling on Anthropic Messages: the neutral tools, choice and messages of a {@link ModelCall} in the wire
 * format ({@code tools:[{name, description, input_schema}]}, {@code tool_choice:{type: auto|any|none|tool}},
 * an assistant turn's {@code tool_use} blocks, tool results as {@code tool_result} blocks of a user turn), and the
 * {@code tool_use} blocks of an answer read back.
 */
final class AnthropicTools {

  private AnthropicTools() {
  }

  /** Adds {@code tools} and {@code tool_choice} to the body when the call offers tools. */
  static void request(ModelCall call, JsonObject body) {
    if (call.tools() == null) {
      return;
    }
    JsonArray tools = new JsonArray();
    for (Object item : call.tools()) {
      JsonObject tool = (JsonObject) item;
      tools.add(ToolRequest.named(tool).put("input_schema", tool.getJsonObject(Fields.PARAMETERS)));
    }
    body.put("tools", tools);
    ToolRequest.ToolChoice choice = call.toolChoice();
    if (choice != null) {
      JsonObject wire = new JsonObject().put("type", switch (choice.mode()) {
        case "required" -> "any";
        case "tool" -> "tool";
        default -> choice.mode();
      });
      if (choice.name() != null) {
        wire.put("name", choice.name());
      }
      body.put("tool_choice", wire);
    }
  }

  /** The wire role of a neutral message: tool results travel in a user turn. */
  static String role(JsonObject m) {
    return Fields.TOOL.equals(m.getString(Fields.ROLE)) ? Fields.USER : m.getString(Fields.ROLE);
  }

  /**
   * The wire content of a neutral message: its text as a string when it is plain text, else content blocks
   * (an assistant's text and {@code tool_use} blocks, or one {@code tool_result} block); null when there is nothing.
   */
  static Object content(JsonObject m) {
    String text = m.getString(Fields.CONTENT);
    if (Fields.TOOL.equals(m.getString(Fields.ROLE))) {
      JsonObject result = new JsonObject().put("type", "tool_result").put("tool_use_id", m.getString(Fields.TOOL_CALL_ID))
          .put("content", text);
      if (m.getBoolean(Fields.IS_ERROR, false)) {
        result.put("is_error", true);
      }
      return new JsonArray().add(result);
    }
    JsonArray calls = m.getJsonArray(Fields.TOOL_CALLS);
    if (calls == null) {
      return text == null || text.isBlank() ? null : text;
    }
    JsonArray blocks = new JsonArray();
    if (text != null && !text.isBlank()) {
      blocks.add(textBlock(text));
    }
    for (Object item : calls) {
      JsonObject call = (JsonObject) item;
      blocks.add(new JsonObject().put("type", "tool_use").put("id", call.getString("id"))
          .put("name", call.getString(Fields.NAME)).put("input", call.getJsonObject(Fields.ARGUMENTS)));
    }
    return blocks;
  }

  /** Two contents of one role as one: texts joined by a blank line, else their blocks one after the other. */
  static Object merge(Object first, Object second) {
    if (first instanceof String a && second instanceof String b) {
      return a + "\n\n" + b;
    }
    return blocks(first).addAll(blocks(second));
  }

  private static JsonArray blocks(Object content) {
    return content instanceof JsonArray blocks ? blocks.copy() : new JsonArray().add(textBlock((String) content));
  }

  private static JsonObject textBlock(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }
}
