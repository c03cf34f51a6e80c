package dev.parley.bot;

import dev.parley.common.ParleyException;
import dev.parley.common.UnicodeText;
import dev.parley.common.WebAddresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validation and defaults of a bot's settings. Every problem is a 422 naming the field
 * (dotted for nested ones: {@code widget.color}). Settings are everything but the id, the
 * name's uniqueness (none) and the API key, which {@link BotService} handles write-only.
 */
final class BotSettings {

  static final Set<String> READ_ONLY = Set.of("id", "api_key_set", "api_key_hint", "deploy", "created_at", "updated_at",
      "embedding_model", "indexed_models", "reindex_needed", "provider_status");
  private static final Set<String> TOP = Set.of("name", "provider", "model", "base_url", "api_key", "prompt",
      "temperature", "max_tokens", "history_limit", "max_message_chars", "rag", "widget", "allowed_origins",
      "fallback_text", "rate_limit", "budget", "fallback", "retention_days", "redact_pii", "handoff", "tools",
      "max_tool_steps", "answers");
  private static final Set<String> RAG = Set.of("enabled", "top_k", "min_score", "sync_interval_hours");
  private static final Set<String> WIDGET = Set.of("title", "color", "position", "greeting", "avatar_url",
      "starter_questions", "citations");
  private static final Set<String> RATE_LIMIT = Set.of("per_session_per_minute", "per_address_per_minute");
  private static final Set<String> BUDGET = Set.of("daily_tokens", "daily_cost", "message");
  /**
   * The turns a new bot answers per session and per client address and minute, unless it is created with others
   * or the deployment sets {@code bot.new_bot_rate_limit}.
   */
  static final int NEW_BOT_PER_SESSION = 20;
  static final int NEW_BOT_PER_ADDRESS = 120;
  /** What a bot answers, instead of calling its model, once its daily budget is spent. */
  static final String DEFAULT_BUDGET_MESSAGE = "This assistant has reached its limit for today. Please try again tomorrow.";
  private static final Pattern PROVIDER = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
  /** A fallback is a built-in provider: the provider step calls it with that provider's configured key. */
  private static final Set<String> FALLBACK_PROVIDERS = Set.of("openai", "anthropic", "extractive");
  private static final Set<String> FALLBACK = Set.of("provider", "model");
  private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
  private static final Set<String> POSITIONS = Set.of("bottom-right", "bottom-left");
  /** How the chat page shows an answer's sources: not at all, titles only, or titles with snippets and links. */
  private static final Set<String> CITATIONS = Set.of("none", "titles", "snippets");
  /**
   * What of a conversation has e-mail addresses, phone numbers, card numbers and IBANs replaced
   * ({@link dev.parley.common.PiiRedactor}): nothing, what is stored and logged, or that and what the model is sent.
   */
  private static final Set<String> REDACT_PII = Set.of("off", "store", "model");
  /** The longest a bot may keep its conversations, in days (ten years); null keeps them for ever. */
  static final int MAX_RETENTION_DAYS = 3_650;

  /** What the extractive provider answers when the knowledge base has nothing on the question. */
  static final String DEFAULT_FALLBACK = "Sorry, I could not find anything about that in my knowledge base.";

  private BotSettings() {
  }

  /** A new bot's settings, with the rate limits {@code newBotLimits} (null: 20 per session, 120 per address). */
  static JsonObject defaults(JsonObject newBotLimits) {
    JsonObject defaults = defaults();
    if (newBotLimits != null) {
      defaults.put("rate_limit", mergeObject("rate_limit", defaults.getJsonObject("rate_limit"), newBotLimits, RATE_LIMIT));
    }
    return defaults;
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
        .put("fallback", null)
        .put("rag", new JsonObject().put("enabled", true).put("top_k", 4).put("min_score", 0.09)
            .put("sync_interval_hours", 0))
        .put("widget", new JsonObject()
            .put("title", null)
            .put("color", "#4f46e5")
            .put("position", "bottom-right")
            .put("greeting", "Hi! How can I help you today?")
            .put("avatar_url", null)
            .put("starter_questions", new JsonArray())
            .put("citations", "titles"))
        .put("allowed_origins", new JsonArray())
        .put("rate_limit", new JsonObject().put("per_session_per_minute", NEW_BOT_PER_SESSION)
            .put("per_address_per_minute", NEW_BOT_PER_ADDRESS))
        .put("budget", budgetDefaults())
        .put("retention_days", null)
        .put("redact_pii", "off")
        .put("handoff", HandoffSettings.defaults())
        .put("tools", new JsonArray())
        .put("max_tool_steps", ToolSettings.DEFAULT_MAX_STEPS)
        .put("answers", AnswerSettings.defaults());
  }

  /** The data settings of a bot stored before they existed: keep its conversations, redact nothing. */
  static void dataDefaults(JsonObject bot) {
    if (!bot.containsKey("retention_days")) {
      bot.put("retention_days", null);
    }
    if (bot.getValue("redact_pii") == null) {
      bot.put("redact_pii", "off");
    }
    if (bot.getValue("tools") == null) {
      bot.put("tools", new JsonArray());
    }
    if (bot.getValue("max_tool_steps") == null) {
      bot.put("max_tool_steps", ToolSettings.DEFAULT_MAX_STEPS);
    }
  }

  /**
   * What a stored bot without limits has: null limits follow the deployment's {@code http.rate_limit}; 0 turns a
   * limit off. Bots stored before new bots got limits keep these; new ones start from {@link #defaults()}.
   */
  private static JsonObject rateLimitDefaults() {
    return new JsonObject().put("per_session_per_minute", null).put("per_address_per_minute", null);
  }

  /** No budget by default: null means no daily cap on tokens or cost. */
  private static JsonObject budgetDefaults() {
    return new JsonObject().put("daily_tokens", null).put("daily_cost", null).put("message", DEFAULT_BUDGET_MESSAGE);
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
      } else if (field.equals("handoff")) {
        merged.put(field, HandoffSettings.merge(merged.getJsonObject(field), value));
      } else if (field.equals("answers")) {
        merged.put(field, AnswerSettings.merge(merged.getJsonObject(field), value));
      } else if (field.equals("tools")) {
        merged.put(field, ToolSettings.validate(value, merged.getJsonArray("tools")));
      } else if (field.equals("rate_limit") || field.equals("budget")) {
        JsonObject stored = merged.getJsonObject(field, field.equals("budget") ? budgetDefaults() : rateLimitDefaults());
        merged.put(field, mergeObject(field, stored, value, field.equals("budget") ? BUDGET : RATE_LIMIT));
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
    if (UnicodeText.hasControlOrInvisible(name.strip())) {
      throw ParleyException.invalid("name", "'name' must be one line, without control characters");
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
    // how often URL and sitemap documents are checked for changes; 0 = only on demand
    Object syncHours = rag.getValue("sync_interval_hours") == null ? 0 : rag.getValue("sync_interval_hours");
    rag.put("sync_interval_hours", number("rag.sync_interval_hours", syncHours, 0, 8760, false));

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

    s.put("allowed_origins", origins(strings("allowed_origins", s.getValue("allowed_origins"), 50, 200)));
    s.put("fallback", fallback(s.getValue("fallback"), provider, s.getString("model")));

    JsonObject limits = s.getJsonObject("rate_limit", rateLimitDefaults());
    for (String key : RATE_LIMIT) {
      limits.put(key, integer("rate_limit." + key, limits.getValue(key), 0, 1_000_000, true));
    }
    s.put("rate_limit", limits);
    JsonObject budget = s.getJsonObject("budget", budgetDefaults());
    budget.put("daily_tokens", integer("budget.daily_tokens", budget.getValue("daily_tokens"), 0, 2_000_000_000, true));
    budget.put("daily_cost", number("budget.daily_cost", budget.getValue("daily_cost"), 0, 1_000_000, true));
    String message = string("budget.message", budget.getValue("message"), 1, 2000, true);
    budget.put("message", message == null || message.isBlank() ? DEFAULT_BUDGET_MESSAGE : message);
    s.put("budget", budget);
    s.put("retention_days", integer("retention_days", s.getValue("retention_days"), 1, MAX_RETENTION_DAYS, true));
    Object redact = s.getValue("redact_pii") == null ? "off" : s.getValue("redact_pii");
    if (!REDACT_PII.contains(redact)) {
      throw ParleyException.invalid("redact_pii", "'redact_pii' must be off, store or model");
    }
    s.put("redact_pii", redact);
    s.put("handoff", HandoffSettings.merge(s.getJsonObject("handoff"), null));
    s.put("max_tool_steps", ToolSettings.maxSteps(s.getValue("max_tool_steps")));
    s.put("answers", AnswerSettings.merge(s.getJsonObject("answers"), null));
    return s;
  }

  /**
   * The provider that answers when the bot's own keeps failing: {@code {provider, model}} with a
   * built-in provider (the model defaults to that provider's default), or null for none. It is
   * replaced as a whole on update, and must differ from the bot's own provider and model.
   */
  private static JsonObject fallback(Object value, String provider, String model) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject spec)) {
      throw ParleyException.invalid("fallback", "'fallback' must be an object {provider, model} or null");
    }
    for (String key : spec.fieldNames()) {
      if (!FALLBACK.contains(key)) {
        throw ParleyException.invalid("fallback." + key, "Unknown field 'fallback." + key + "'");
      }
    }
    Object name = spec.getValue("provider");
    if (!(name instanceof String p) || !FALLBACK_PROVIDERS.contains(p)) {
      throw ParleyException.invalid("fallback.provider", "'fallback.provider' must be openai, anthropic or extractive");
    }
    String fallbackModel = spec.getValue("model") == null
        ? defaultModel(p) : string("fallback.model", spec.getValue("model"), 1, 200, false);
    if (p.equals(provider) && fallbackModel.equals(model)) {
      throw ParleyException.invalid("fallback.model",
          "'fallback' must name another provider or model than the bot's own");
    }
    return new JsonObject().put("provider", p).put("model", fallbackModel);
  }

  /** Each entry as browsers send it in {@code Origin} ({@link WebAddresses#origin}), without repeats. */
  private static JsonArray origins(JsonArray entries) {
    JsonArray normalised = new JsonArray();
    for (Object entry : entries) {
      String origin = WebAddresses.origin("allowed_origins", (String) entry);
      if (!normalised.contains(origin)) {
        normalised.add(origin);
      }
    }
    return normalised;
  }

  static String string(String field, Object value, int min, int max, boolean nullable) {
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

  /** An http(s) URL written as {@link WebAddresses#url} writes it; a base URL may carry credentials, an avatar not. */
  private static String url(String field, Object value) {
    String text = string(field, value, 0, 500, true);
    if (text == null || text.isBlank()) {
      return null;
    }
    return WebAddresses.url(field, text, field.equals("base_url"));
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

  static Integer integer(String field, Object value, int min, int max, boolean nullable) {
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

  static boolean bool(String field, Object value) {
    if (!(value instanceof Boolean b)) {
      throw ParleyException.invalid(field, "'" + field + "' must be true or false");
    }
    return b;
  }

  static JsonArray strings(String field, Object value, int maxItems, int maxLength) {
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
