package dev.parley.bot;

import dev.parley.common.HandoffHours;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A bot's {@code handoff} settings (issue 14): {@code {enabled, triggers: {keywords: [...], no_answer_turns: n,
 * negative_feedback: bool}, message_waiting, message_offline, hours: {timezone, weekly} | null}}. Off by default.
 * An update merges {@code handoff} and {@code handoff.triggers} key by key; {@code hours} is replaced whole. A bad
 * value is a 422 naming the field ({@code handoff.triggers.keywords}…).
 */
final class HandoffSettings {

  static final String DEFAULT_WAITING = "Thanks, a person will join this conversation shortly.";
  static final String DEFAULT_OFFLINE = "Nobody is available right now. Leave your e-mail and a message, and we will get back to you.";
  private static final Set<String> FIELDS = Set.of("enabled", "triggers", "message_waiting", "message_offline", "hours");
  private static final Set<String> TRIGGERS = Set.of("keywords", "no_answer_turns", "negative_feedback");

  private HandoffSettings() {
  }

  static JsonObject defaults() {
    return new JsonObject().put("enabled", false)
        .put("triggers", new JsonObject().put("keywords", new JsonArray()).put("no_answer_turns", 0).put("negative_feedback", false))
        .put("message_waiting", DEFAULT_WAITING).put("message_offline", DEFAULT_OFFLINE).put("hours", null);
  }

  /** {@code stored} (null: the defaults) updated by {@code patch}, validated. */
  static JsonObject merge(JsonObject stored, Object patch) {
    JsonObject current = stored == null ? defaults() : stored.copy();
    if (patch == null) {
      return validate(current);
    }
    if (!(patch instanceof JsonObject changes)) {
      throw ParleyException.invalid("handoff", "'handoff' must be an object");
    }
    for (String key : changes.fieldNames()) {
      if (!FIELDS.contains(key)) {
        throw ParleyException.invalid("handoff." + key, "Unknown field 'handoff." + key + "'");
      }
      Object value = changes.getValue(key);
      if (key.equals("triggers")) {
        if (!(value instanceof JsonObject triggers)) {
          throw ParleyException.invalid("handoff.triggers", "'handoff.triggers' must be an object");
        }
        JsonObject merged = current.getJsonObject("triggers", defaults().getJsonObject("triggers")).copy();
        for (String trigger : triggers.fieldNames()) {
          if (!TRIGGERS.contains(trigger)) {
            throw ParleyException.invalid("handoff.triggers." + trigger, "Unknown field 'handoff.triggers." + trigger + "'");
          }
          merged.put(trigger, triggers.getValue(trigger));
        }
        current.put("triggers", merged);
      } else {
        current.put(key, value);
      }
    }
    return validate(current);
  }

  private static JsonObject validate(JsonObject h) {
    JsonObject out = new JsonObject();
    out.put("enabled", BotSettings.bool("handoff.enabled", h.getValue("enabled")));
    JsonObject triggers = h.getJsonObject("triggers", defaults().getJsonObject("triggers"));
    JsonArray keywords = BotSettings.strings("handoff.triggers.keywords", triggers.getValue("keywords"), 50, 100);
    JsonArray trimmed = new JsonArray();
    for (Object keyword : keywords) {
      String word = ((String) keyword).strip();
      if (word.isEmpty()) {
        throw ParleyException.invalid("handoff.triggers.keywords", "'handoff.triggers.keywords' must not hold blank entries");
      }
      trimmed.add(word);
    }
    out.put("triggers", new JsonObject().put("keywords", trimmed)
        .put("no_answer_turns", BotSettings.integer("handoff.triggers.no_answer_turns", triggers.getValue("no_answer_turns") == null
            ? 0 : triggers.getValue("no_answer_turns"), 0, 20, false))
        .put("negative_feedback", BotSettings.bool("handoff.triggers.negative_feedback",
            triggers.getValue("negative_feedback") == null ? false : triggers.getValue("negative_feedback"))));
    out.put("message_waiting", message("handoff.message_waiting", h.getValue("message_waiting"), DEFAULT_WAITING));
    out.put("message_offline", message("handoff.message_offline", h.getValue("message_offline"), DEFAULT_OFFLINE));
    Object hours = h.getValue("hours");
    try {
      out.put("hours", hours == null ? null : HandoffHours.validate(hours));
    } catch (IllegalArgumentException bad) {
      throw ParleyException.invalid("handoff.hours", bad.getMessage());
    }
    return out;
  }

  private static String message(String field, Object value, String fallback) {
    String text = BotSettings.string(field, value, 0, 1_000, true);
    return text == null || text.isBlank() ? fallback : text;
  }
}
