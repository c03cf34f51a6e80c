package dev.parley.provider;

import dev.parley.common.Fields;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tool calls of one answer, assembled from the pieces a vendor sends: whole calls of a JSON answer, or
 * fragments of a stream keyed by the call's index (OpenAI's {@code delta.tool_calls[].index}, Anthropic's content
 * block index), in any order. {@link #result()} gives them in index order in the provider-neutral shape
 * {@code {id, name, arguments}}: arguments that are not a JSON object become {@code {"_raw": text}} with
 * {@code arguments_error: true}, so the caller can answer the model with an error result. Bounded: at most
 * {@link #MAX_CALLS} calls and {@code maxChars} characters of arguments in all.
 */
final class ToolCallParts {

  /** The finish reason of an answer that asks for tools, whatever the vendor's word for it. */
  static final String FINISH = "tool_calls";
  static final int MAX_CALLS = 64;

  private final Map<Integer, Part> parts = new TreeMap<>();
  private final Meter meter;
  private final int maxChars;
  private int chars;

  ToolCallParts(Meter meter, int maxChars) {
    this.meter = meter;
    this.maxChars = maxChars;
  }

  /** Where the pieces of tool calls go. */
  interface Sink {
    void add(int index, String id, String name, String arguments);
  }

  /** A piece of call {@code index}: its id and name when the vendor tells them, and a fragment of its arguments. */
  void add(int index, String id, String name, String arguments) {
    Part part = parts.get(index);
    if (part == null) {
      if (parts.size() >= MAX_CALLS) {
        throw ProviderFailure.protocol("more than " + MAX_CALLS + " tool calls in one answer");
      }
      part = new Part();
      parts.put(index, part);
    }
    if (id != null && !id.isEmpty()) {
      part.id = id;
    }
    if (name != null && !name.isEmpty()) {
      part.name = part.name == null ? name : part.name;
    }
    if (arguments != null && !arguments.isEmpty()) {
      chars += arguments.length();
      if (chars > maxChars) {
        throw ProviderFailure.tooLong(maxChars);
      }
      part.arguments.append(arguments);
      if (meter != null) {
        meter.received(arguments);
      }
    }
  }

  boolean isEmpty() {
    return parts.isEmpty();
  }

  JsonArray result() {
    JsonArray calls = new JsonArray();
    for (Map.Entry<Integer, Part> entry : parts.entrySet()) {
      Part part = entry.getValue();
      if (part.name == null) {
        throw ProviderFailure.protocol("a tool call without a name");
      }
      calls.add(call(part.id == null ? "call_" + entry.getKey() : part.id, part.name, part.arguments.toString()));
    }
    return calls;
  }

  /** One call whose arguments came as JSON text (OpenAI's {@code function.arguments}); blank text reads as {@code {}}. */
  static JsonObject call(String id, String name, String arguments) {
    JsonObject call = new JsonObject().put("id", id).put(Fields.NAME, name);
    if (arguments == null || arguments.isBlank()) {
      return call.put(Fields.ARGUMENTS, new JsonObject());
    }
    try {
      Object parsed = Json.decodeValue(arguments);
      if (parsed instanceof JsonObject object) {
        return call.put(Fields.ARGUMENTS, object);
      }
    } catch (DecodeException notJson) {
      // passed on below as it came
    }
    return call.put(Fields.ARGUMENTS, new JsonObject().put(Fields.RAW, arguments)).put(Fields.ARGUMENTS_ERROR, true);
  }

  /** One call whose arguments came as a JSON value (Anthropic's {@code input}), which must be an object. */
  static JsonObject call(String id, String name, Object input) {
    if (input instanceof JsonObject object) {
      return new JsonObject().put("id", id).put(Fields.NAME, name).put(Fields.ARGUMENTS, object);
    }
    return call(id, name, input == null ? null : input instanceof String text ? text : Json.encode(input));
  }

  private static final class Part {
    String id;
    String name;
    final StringBuilder arguments = new StringBuilder();
  }
}
