package dev.parley.bot;

import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A bot's {@code answers} settings (issue 16, stored answers): {@code {mode: "direct" | "context", threshold}}.
 * {@code direct} (the default) gives a matching stored answer as it is, without a model; {@code context} gives it to
 * the model as the first passage. {@code threshold} (0–1, default {@value #DEFAULT_THRESHOLD}) is the least cosine
 * between the visitor's message and a stored question for it to match (docs/answers.md says how it was chosen).
 * An update merges key by key; a bad value is a 422 naming the field ({@code answers.mode}…).
 */
final class AnswerSettings {

  static final double DEFAULT_THRESHOLD = 0.82;
  private static final Set<String> FIELDS = Set.of("mode", "threshold");
  private static final Set<String> MODES = Set.of("direct", "context");

  private AnswerSettings() {
  }

  static JsonObject defaults() {
    return new JsonObject().put("mode", "direct").put("threshold", DEFAULT_THRESHOLD);
  }

  /** {@code stored} (null: the defaults) updated by {@code patch} (null: none), validated. */
  static JsonObject merge(JsonObject stored, Object patch) {
    JsonObject current = stored == null ? defaults() : stored.copy();
    if (patch instanceof JsonObject changes) {
      for (String key : changes.fieldNames()) {
        if (!FIELDS.contains(key)) {
          throw ParleyException.invalid("answers." + key, "Unknown field 'answers." + key + "'");
        }
        current.put(key, changes.getValue(key));
      }
    } else if (patch != null) {
      throw ParleyException.invalid("answers", "'answers' must be an object");
    }
    Object mode = current.getValue("mode") == null ? "direct" : current.getValue("mode");
    if (!MODES.contains(mode)) {
      throw ParleyException.invalid("answers.mode", "'answers.mode' must be direct or context");
    }
    Object threshold = current.getValue("threshold") == null ? DEFAULT_THRESHOLD : current.getValue("threshold");
    if (!(threshold instanceof Number n) || !(n.doubleValue() >= 0 && n.doubleValue() <= 1)) {
      throw ParleyException.invalid("answers.threshold", "'answers.threshold' must be a number from 0 to 1");
    }
    return new JsonObject().put("mode", mode).put("threshold", n.doubleValue());
  }
}
