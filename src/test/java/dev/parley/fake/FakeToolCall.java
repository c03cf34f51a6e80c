package dev.parley.fake;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A tool call a fake model server answers with: its id, the tool's name and the arguments as the model writes
 * them (JSON text, or anything else to play a model that writes broken arguments).
 */
public record FakeToolCall(String id, String name, String arguments) {

  public static FakeToolCall of(String id, String name, JsonObject arguments) {
    return new FakeToolCall(id, name, arguments.encode());
  }

  /** The arguments as a JSON value when they parse (Anthropic sends {@code input} as JSON), else the text. */
  Object input() {
    try {
      return Json.decodeValue(arguments);
    } catch (RuntimeException broken) {
      return arguments;
    }
  }

  /** The arguments cut into {@code n} pieces of about equal length (fewer when the text is shorter). */
  List<String> fragments(int n) {
    List<String> pieces = new ArrayList<>();
    int size = Math.max(1, (arguments.length() + n - 1) / Math.max(1, n));
    int start = 0;
    while (start < arguments.length()) {
      int end = Math.min(arguments.length(), start + size);
      // a vendor cuts between characters, never inside one
      if (end < arguments.length() && Character.isHighSurrogate(arguments.charAt(end - 1))) {
        end++;
      }
      pieces.add(arguments.substring(start, end));
      start = end;
    }
    if (pieces.isEmpty()) {
      pieces.add("");
    }
    return pieces;
  }
}
