package dev.parley.bot;

import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validation and defaults of a bot's settings. Every problem is a 422 naming the field
 * (dotted for nested ones: {@code widget.color}). Settings are everything but the id, the
 * name's uniqueness (none) and the API key, which {@link BotService} handles write-only.
 */
final class BotSettings {

  static final Set<String> READ_ONLY = Set.of("id", "api_key_set", "api_key_hint", "deploy", "created_at", "updated_at");
  private static final Set<String> TOP = Set.of("name", "provider", "model", "base_url", "api_key", "prompt",
      "temperature", "max_tokens", "history_limit", "max_message_chars", "rag", "widget", "allowed_origins",
      "fallback_text");
  private static final Set<String> RAG = Set.of("enabled", "top_k", "min_score");
  private static final Set<String> WIDGET = Set.of("title", "color", "position", "greeting", "avatar_url",
      "starter_questions", "citations");
  private static final Pattern PROVIDER = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
  private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
  private static final Set<String> POSITIONS = Set.of("bottom-right", "bottom-left");
  /** How the chat page shows an answer's sources: not at all, titles only, or titles with snippets and links. */
  private static final Set<String> CITATIONS = Set.of("none", "titles", "snippets");

  /** What the extractive provider answers when the knowledge base has nothing on the question. */
  static final String DEFAULT_FALLBACK = "Sorry, I could not find anything about that in my knowledge base.";

  private BotSettings() {
  }

  static JsonObject defaults() {
    return new JsonObject()
        .put("provider", "openai")
        .put("model", null)
        .put("base_url", null)
        .put("prompt", "You are a helpful assistant. Answer briefly and accurately.")
        .put("temperature", 0.7)
        .put("max_tokens", 1024)
        .put("history_limit", 20)
        .put("max_message_chars", 4000)
        .put("fallback_text", DEFAULT_FALLBACK)
        .put("rag", new JsonObject().put("enabled", true).put("top_k", 4).put("min_score", 0.3))
        .put("widget", new JsonObject()
            .put("title", null)
            .put("color", "#4f46e5")
            .put("position", "bottom-right")
            .put("greeting", "Hi! How can I help you today?")
            .put("avatar_url", null)
            .put("starter_questions", new JsonArray())
            .put("citations", "titles"))
        .put("allowed_origins", new JsonArray());
  }

  /** Default model per built-in provider, used when a bot names none. */
  static String defaultModel(String provider) {
    switch (provider) {
      case "openai":
        return "gpt-4o-mini";
      case "anthropic":
        return "claude-3-5-haiku-latest";
      case "extractive":
        return "extractive";
      default:
        return "default";
    }
  }

  /**
   * Applies {@code patch} over {@code current} (nested objects field by field), validates the
   * result and returns the settings to store (without name and key).
   */
  static JsonObject merge(JsonObject current, JsonObject patch) {
    for (String field : patch.fieldNames()) {
      if (!TOP.contains(field) && !READ_ONLY.contains(field)) {
        throw ParleyException.invalid(field, "Unknown field '" + field + "'");
      }
    }
    JsonObject merged = current.copy();
    for (String field : TOP) {
      if (!patch.containsKey(field) || field.equals("name") || field.equals("api_key")) {
        continue;
      }
      Object value = patch.getValue(field);
      if (field.equals("rag") || field.equals("widget")) {
        merged.put(field, mergeObject(field, merged.getJsonObject(field), value, field.equals("rag") ? RAG : WIDGET));
      } else {
        merged.put(field, value);
      }
    }
    return validate(merged);
  }

  private static JsonObject mergeObject(String field, JsonObject current, Object value, Set<String> allowed) {
    if (value == null) {
      return current;
    }
    if (!(value instanceof JsonObject patch)) {
      throw ParleyException.invalid(field, "'" + field + "' must be an object");
    }
    JsonObject merged = current.copy();
    for (String key : patch.fieldNames()) {
      if (!allowed.contains(key)) {
        throw ParleyException.invalid(field + "." + key, "Unknown field '" + field + "." + key + "'");
      }
      merged.put(key, patch.getValue(key));
    }
    return merged;
  }

  static String name(Object value) {
    String name = string("name", value, 1, 100, false);
    if (name.isBlank()) {
      throw ParleyException.invalid("name", "'name' must not be blank");
    }
    return name.strip();
  }

  static String apiKey(Object value) {
    if (value == null) {
      return null;
    }
    String key = string("api_key", value, 0, 500, false).strip();
    if (key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw ParleyException.invalid("api_key", "'api_key' must be printable ASCII without spaces");
    }
    return key.isEmpty() ? null : key;
  }

  private static JsonObject validate(JsonObject s) {
    String provider = string("provider", s.getValue("provider"), 1, 32, false);
    if (!PROVIDER.matcher(provider).matches()) {
      throw ParleyException.invalid("provider", "'provider' must be a lower-case name such as openai or anthropic");
    }
    s.put("model", s.getValue("model") == null ? defaultModel(provider) : string("model", s.getValue("model"), 1, 200, false));
    s.put("base_url", url("base_url", s.getValue("base_url")));
    s.put("prompt", string("prompt", s.getValue("prompt"), 0, 20_000, true));
    s.put("temperature", number("temperature", s.getValue("temperature"), 0, 2, true));
    s.put("max_tokens", integer("max_tokens", s.getValue("max_tokens"), 1, 200_000, true));
    s.put("history_limit", integer("history_limit", s.getValue("history_limit"), 0, 200, false));
    String fallback = string("fallback_text", s.getValue("fallback_text"), 0, 2000, true);
    s.put("fallback_text", fallback == null ? DEFAULT_FALLBACK : fallback);
    s.put("max_message_chars", integer("max_message_chars", s.getValue("max_message_chars"), 1, 100_000, false));

    JsonObject rag = s.getJsonObject("rag");
    rag.put("enabled", bool("rag.enabled", rag.getValue("enabled")));
    rag.put("top_k", integer("rag.top_k", rag.getValue("top_k"), 1, 50, false));
    rag.put("min_score", number("rag.min_score", rag.getValue("min_score"), 0, 1, false));

    JsonObject widget = s.getJsonObject("widget");
    widget.put("title", string("widget.title", widget.getValue("title"), 0, 100, true));
    String color = string("widget.color", widget.getValue("color"), 7, 7, false);
    if (!COLOR.matcher(color).matches()) {
      throw ParleyException.invalid("widget.color", "'widget.color' must be a hex colour like #4f46e5");
    }
    String position = string("widget.position", widget.getValue("position"), 1, 20, false);
    if (!POSITIONS.contains(position)) {
      throw ParleyException.invalid("widget.position", "'widget.position' must be bottom-right or bottom-left");
    }
    widget.put("greeting", string("widget.greeting", widget.getValue("greeting"), 0, 500, true));
    widget.put("avatar_url", url("widget.avatar_url", widget.getValue("avatar_url")));
    widget.put("starter_questions", strings("widget.starter_questions", widget.getValue("starter_questions"), 6, 200));
    Object citations = widget.getValue("citations") == null ? "titles" : widget.getValue("citations");
    if (!CITATIONS.contains(citations)) {
      throw ParleyException.invalid("widget.citations", "'widget.citations' must be none, titles or snippets");
    }
    widget.put("citations", citations);

    JsonArray origins = strings("allowed_origins", s.getValue("allowed_origins"), 50, 200);
    JsonArray normalised = new JsonArray();
    for (Object origin : origins) {
      normalised.add(origin((String) origin));
    }
    s.put("allowed_origins", normalised);
    return s;
  }

  private static String origin(String value) {
    try {
      URI uri = new URI(value);
      boolean ok = ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null && uri.getRawUserInfo() == null
          && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
          && uri.getRawQuery() == null && uri.getRawFragment() == null;
      if (ok) {
        String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
        return uri.getScheme() + "://" + uri.getHost().toLowerCase() + port;
      }
    } catch (java.net.URISyntaxException bad) {
      // reported below
    }
    throw ParleyException.invalid("allowed_origins",
        "'allowed_origins' entries must be origins like https://example.com (scheme, host, optional port)");
  }

  private static String string(String field, Object value, int min, int max, boolean nullable) {
    if (value == null && nullable) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw ParleyException.invalid(field, "'" + field + "' must be a string");
    }
    if (text.length() < min || text.length() > max) {
      throw ParleyException.invalid(field, "'" + field + "' must be " + min + " to " + max + " characters long");
    }
    if (text.indexOf('\u0000') >= 0) {
      throw ParleyException.invalid(field, "'" + field + "' must not contain NUL characters");
    }
    return text;
  }

  private static String url(String field, Object value) {
    String text = string(field, value, 0, 500, true);
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      URI uri = new URI(text);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
      }
    } catch (java.net.URISyntaxException bad) {
      // reported below
    }
    throw ParleyException.invalid(field, "'" + field + "' must be an http or https URL");
  }

  private static Double number(String field, Object value, double min, double max, boolean nullable) {
    if (value == null && nullable) {
      return null;
    }
    if (!(value instanceof Number number) || Double.isNaN(number.doubleValue())) {
      throw ParleyException.invalid(field, "'" + field + "' must be a number");
    }
    double d = number.doubleValue();
    if (d < min || d > max) {
      throw ParleyException.invalid(field, "'" + field + "' must be between " + fmt(min) + " and " + fmt(max));
    }
    return d;
  }

  private static Integer integer(String field, Object value, int min, int max, boolean nullable) {
    if (value == null && nullable) {
      return null;
    }
    boolean whole = value instanceof Integer || value instanceof Long
        || (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && !Double.isInfinite(n.doubleValue()));
    if (!whole) {
      throw ParleyException.invalid(field, "'" + field + "' must be a whole number");
    }
    double d = ((Number) value).doubleValue();
    if (d < min || d > max) {
      throw ParleyException.invalid(field, "'" + field + "' must be between " + min + " and " + max);
    }
    return (int) d;
  }

  private static boolean bool(String field, Object value) {
    if (!(value instanceof Boolean b)) {
      throw ParleyException.invalid(field, "'" + field + "' must be true or false");
    }
    return b;
  }

  private static JsonArray strings(String field, Object value, int maxItems, int maxLength) {
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw ParleyException.invalid(field, "'" + field + "' must be an array of strings");
    }
    if (array.size() > maxItems) {
      throw ParleyException.invalid(field, "'" + field + "' takes at most " + maxItems + " entries");
    }
    JsonArray out = new JsonArray();
    for (Object item : array) {
      out.add(string(field, item, 1, maxLength, false));
    }
    return out;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
