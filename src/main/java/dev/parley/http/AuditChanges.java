package dev.parley.http;

import dev.parley.common.UnicodeText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What an audit entry records of a request body: its fields, with secrets replaced at any depth. {@code api_key}
 * becomes {@code "[changed]"} ({@code "[removed]"} when set to null): that a key changed is worth knowing, the key
 * never is. Any other field whose name holds {@code key}, {@code secret}, {@code password}, {@code passphrase},
 * {@code token} or {@code credential} becomes {@code "[redacted]"} (the token counts {@code max_tokens} and
 * {@code daily_tokens} stay when they are numbers). Texts over {@value #MAX_TEXT} characters are cut, arrays
 * over {@value #MAX_ITEMS} items too, and a multipart upload records each file's name and size only.
 */
final class AuditChanges {

  static final String CHANGED = "[changed]";
  static final String REMOVED = "[removed]";
  static final String REDACTED = "[redacted]";
  static final int MAX_TEXT = 2_000;
  static final int MAX_ITEMS = 100;
  private static final int MAX_DEPTH = 6;
  private static final List<String> SECRET_WORDS = List.of("key", "secret", "password", "passphrase", "token",
      "credential");
  /** Token counts, not tokens: kept when their value is a number. */
  private static final Set<String> COUNTS = Set.of("max_tokens", "daily_tokens");

  private AuditChanges() {
  }

  /** Longest changes recorded, encoded; a bigger body records how many fields it had instead. */
  static final int MAX_CHARS = 32_768;

  static JsonObject of(JsonObject body) {
    JsonObject changes = object(body, 0);
    return changes.encode().length() <= MAX_CHARS ? changes
        : new JsonObject().put("omitted", "changes too large to record").put("field_count", body.size());
  }

  /** The request's files: {@code {files: [{name, size}]}}. */
  static JsonObject ofFiles(List<FileUpload> files) {
    JsonArray list = new JsonArray();
    for (FileUpload file : files) {
      list.add(new JsonObject().put("name", text(file.fileName())).put("size", file.size()));
    }
    return new JsonObject().put("files", list);
  }

  static boolean isSecret(String name, Object value) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (COUNTS.contains(lower) && (value == null || value instanceof Number)) {
      return false;
    }
    for (String word : SECRET_WORDS) {
      if (lower.contains(word)) {
        return true;
      }
    }
    return false;
  }

  private static JsonObject object(JsonObject body, int depth) {
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Object> field : body) {
      String name = field.getKey();
      Object value = field.getValue();
      if (name.equalsIgnoreCase("api_key")) {
        out.put(name, value == null ? REMOVED : CHANGED);
      } else if (isSecret(name, value)) {
        out.put(name, REDACTED);
      } else {
        out.put(name, value(value, depth + 1));
      }
    }
    return out;
  }

  private static Object value(Object value, int depth) {
    if (value instanceof JsonObject object) {
      return depth > MAX_DEPTH ? "[object]" : object(object, depth);
    }
    if (value instanceof JsonArray array) {
      if (depth > MAX_DEPTH) {
        return "[array]";
      }
      JsonArray out = new JsonArray();
      for (int i = 0; i < Math.min(array.size(), MAX_ITEMS); i++) {
        out.add(value(array.getValue(i), depth + 1));
      }
      if (array.size() > MAX_ITEMS) {
        out.add("[" + (array.size() - MAX_ITEMS) + " more]");
      }
      return out;
    }
    if (value instanceof String text) {
      return text(text);
    }
    return value;
  }

  private static String text(String text) {
    if (text == null || text.length() <= MAX_TEXT) {
      return text;
    }
    return UnicodeText.prefix(text, MAX_TEXT) + "…[" + text.length() + " characters]";
  }
}
