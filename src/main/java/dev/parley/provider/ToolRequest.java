package dev.parley.provider;

import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the provider-neutral tool fields of a request, failing with 422 {@code validation_failed} naming the field:
 * {@code tools: [{name, description?, parameters?}]} (a name of 1–64 letters, digits, {@code _} or {@code -}, as
 * both vendors require; parameters a JSON Schema of {@code type: "object"}, {@code {type:"object", properties:{}}}
 * when left out), {@code tool_choice} ({@code auto}, {@code none}, {@code required} or {@code {name}} of a listed
 * tool), and {@code messages}, each {@code {role:"user", content}}, {@code {role:"assistant", content?,
 * tool_calls?:[{id, name, arguments (object)}]}} or {@code {role:"tool", tool_call_id, name?, content, is_error?}},
 * returned normalised (only those fields, an assistant's missing content as {@code ""}).
 */
final class ToolRequest {

  static final int MAX_TOOLS = 128;
  private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");
  private static final Set<String> CHOICES = Set.of("auto", "none", "required");

  private ToolRequest() {
  }

  /** The request's tools, normalised; null when it offers none. */
  static JsonArray tools(JsonObject body) {
    Object value = body.getValue(Fields.TOOLS);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray tools) || tools.size() > MAX_TOOLS) {
      throw ParleyException.invalid(Fields.TOOLS, "tools must be an array of at most " + MAX_TOOLS + " tools");
    }
    if (tools.isEmpty()) {
      return null;
    }
    JsonArray clean = new JsonArray();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < tools.size(); i++) {
      String field = "tools[" + i + "]";
      if (!(tools.getValue(i) instanceof JsonObject tool)) {
        throw ParleyException.invalid(field, field + " must be {name, description, parameters}");
      }
      if (!(tool.getValue(Fields.NAME) instanceof String name) || !NAME.matcher(name).matches() || !names.add(name)) {
        throw ParleyException.invalid(field + ".name",
            field + ".name must be 1-64 letters, digits, _ or -, and unique");
      }
      Object description = tool.getValue(Fields.DESCRIPTION);
      if (description != null && !(description instanceof String)) {
        throw ParleyException.invalid(field + ".description", field + ".description must be text");
      }
      Object parameters = tool.getValue(Fields.PARAMETERS);
      if (parameters == null) {
        parameters = new JsonObject().put("type", "object").put("properties", new JsonObject());
      } else if (!(parameters instanceof JsonObject schema) || !"object".equals(schema.getValue("type"))) {
        throw ParleyException.invalid(field + ".parameters", field + ".parameters must be a JSON Schema of type object");
      }
      JsonObject out = new JsonObject().put(Fields.NAME, name);
      if (description != null) {
        out.put(Fields.DESCRIPTION, description);
      }
      clean.add(out.put(Fields.PARAMETERS, parameters));
    }
    return clean;
  }

  /** A tool's {@code {name, description?}}, which both vendors spell alike. */
  static JsonObject named(JsonObject tool) {
    JsonObject named = new JsonObject().put(Fields.NAME, tool.getString(Fields.NAME));
    if (tool.getString(Fields.DESCRIPTION) != null) {
      named.put(Fields.DESCRIPTION, tool.getString(Fields.DESCRIPTION));
    }
    return named;
  }

  /** {@code auto}, {@code none}, {@code required}, a tool's name, or null when the request leaves it to the vendor. */
  static ToolChoice choice(JsonObject body, JsonArray tools) {
    Object value = body.getValue(Fields.TOOL_CHOICE);
    if (value == null) {
      return null;
    }
    if (tools == null) {
      throw ParleyException.invalid(Fields.TOOL_CHOICE, "tool_choice needs tools");
    }
    if (value instanceof String mode && CHOICES.contains(mode)) {
      return new ToolChoice(mode, null);
    }
    if (value instanceof JsonObject named && named.getValue(Fields.NAME) instanceof String name) {
      for (Object tool : tools) {
        if (name.equals(((JsonObject) tool).getString(Fields.NAME))) {
          return new ToolChoice("tool", name);
        }
      }
    }
    throw ParleyException.invalid(Fields.TOOL_CHOICE,
        "tool_choice must be \"auto\", \"none\", \"required\" or {name} of one of the tools");
  }

  /** How the model may use the tools: {@code mode} is auto, none, required, or tool ({@code name} then names it). */
  record ToolChoice(String mode, String name) {
  }

  /** The request's messages, checked and normalised. */
  static JsonArray messages(JsonObject body) {
    if (!(body.getValue(Fields.MESSAGES) instanceof JsonArray messages) || messages.isEmpty()) {
      throw ParleyException.invalid(Fields.MESSAGES, "messages must be a non-empty array");
    }
    JsonArray clean = new JsonArray();
    for (int i = 0; i < messages.size(); i++) {
      clean.add(message(messages.getValue(i), i));
    }
    return clean;
  }

  private static JsonObject message(Object item, int index) {
    JsonObject m = item instanceof JsonObject o ? o : new JsonObject();
    Object role = m.getValue(Fields.ROLE);
    Object content = m.getValue(Fields.CONTENT);
    if (m.size() == 2 && content instanceof String && (Fields.USER.equals(role) || Fields.ASSISTANT.equals(role))) {
      return m; // already in its normal shape (a history's messages): kept, not copied; a call only reads them
    }
    String field = "messages[" + index + "]";
    if (Fields.USER.equals(role) && content instanceof String text) {
      return new JsonObject().put(Fields.ROLE, Fields.USER).put(Fields.CONTENT, text);
    }
    if (Fields.ASSISTANT.equals(role) && (content == null || content instanceof String)) {
      JsonObject out = new JsonObject().put(Fields.ROLE, Fields.ASSISTANT).put(Fields.CONTENT, content == null ? "" : content);
      Object calls = m.getValue(Fields.TOOL_CALLS);
      if (calls == null && content != null) {
        return out;
      }
      if (calls instanceof JsonArray list && !list.isEmpty()) {
        return out.put(Fields.TOOL_CALLS, toolCalls(list, field + ".tool_calls"));
      }
    }
    if (Fields.TOOL.equals(role)) {
      return toolResult(m, field);
    }
    throw ParleyException.invalid(Fields.MESSAGES, field + " must be {role: \"user\", content}, {role: \"assistant\", "
        + "content?, tool_calls?} or {role: \"tool\", tool_call_id, content}");
  }

  private static JsonArray toolCalls(JsonArray calls, String field) {
    JsonArray clean = new JsonArray();
    for (int i = 0; i < calls.size(); i++) {
      if (!(calls.getValue(i) instanceof JsonObject call) || !(call.getValue("id") instanceof String id) || id.isBlank()
          || !(call.getValue(Fields.NAME) instanceof String name) || !NAME.matcher(name).matches()
          || !(call.getValue(Fields.ARGUMENTS) == null || call.getValue(Fields.ARGUMENTS) instanceof JsonObject)) {
        throw ParleyException.invalid(Fields.MESSAGES, field + "[" + i + "] must be {id, name, arguments (object)}");
      }
      Object arguments = call.getValue(Fields.ARGUMENTS);
      clean.add(new JsonObject().put("id", id).put(Fields.NAME, name)
          .put(Fields.ARGUMENTS, arguments == null ? new JsonObject() : arguments));
    }
    return clean;
  }

  private static JsonObject toolResult(JsonObject m, String field) {
    Object id = m.getValue(Fields.TOOL_CALL_ID);
    Object content = m.getValue(Fields.CONTENT);
    Object name = m.getValue(Fields.NAME);
    Object error = m.getValue(Fields.IS_ERROR);
    if (!(id instanceof String callId) || callId.isBlank() || !(content instanceof String text)
        || (name != null && !(name instanceof String)) || (error != null && !(error instanceof Boolean))) {
      throw ParleyException.invalid(Fields.MESSAGES,
          field + " must be {role: \"tool\", tool_call_id, name?, content (text), is_error? (boolean)}");
    }
    JsonObject out = new JsonObject().put(Fields.ROLE, Fields.TOOL).put(Fields.TOOL_CALL_ID, callId);
    if (name != null) {
      out.put(Fields.NAME, name);
    }
    out.put(Fields.CONTENT, text);
    if (Boolean.TRUE.equals(error)) {
      out.put(Fields.IS_ERROR, true);
    }
    return out;
  }
}
