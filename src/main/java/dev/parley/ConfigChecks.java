package dev.parley;

import dev.parley.chat.EvaluationRunner;
import dev.parley.memory.MemoryVerticle;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks of the resolved config before anything deploys, so that a wrong setting stops the start with a message
 * naming its key rather than a {@code ClassCastException} in whichever verticle reads it first.
 * <ul>
 *   <li>Kinds: each key of the bundled {@code conf/config.json} whose value there is not null must hold the same kind
 *   of JSON value (any number for a number), through every object, except the keys of {@link #SEVERAL_KINDS}; a key
 *   shipped as null (unset) must hold one of its {@link #UNSET_KINDS} when it is given. Keys the bundled file does not
 *   hold are checked by the next rule. A null where the bundled file has a value stands for the
 *   default: the key is taken out. Other nulls are left to their readers. The messages name the
 *   key and the kinds, never the value, which may be a secret.</li>
 *   <li>Keys the bundled file does not hold are checked when given if Parley's own readers take them
 *   ({@link #NOT_SHIPPED_KINDS}; each component's {@code instances}, a whole number from 1 to {@link #MAX_INSTANCES});
 *   other keys it does not hold are left to their readers (extensions check their own).</li>
 *   <li>The evaluation heartbeat ({@code http.evaluations.heartbeat_ms}) must come sooner than memory's stale time
 *   ({@code memory.evaluation_stale_s}), or every running evaluation is taken for interrupted.</li>
 * </ul>
 */
final class ConfigChecks {

  /** The kinds of JSON value, as the messages name them. */
  enum Kind {
    NUMBER("a number"), STRING("a string"), BOOLEAN("a boolean"), OBJECT("an object"), ARRAY("an array");

    private final String words;

    Kind(String words) {
      this.words = words;
    }

    /** The kind of a value as {@link JsonObject#getValue} returns it (not null). */
    static Kind of(Object value) {
      if (value instanceof Number) {
        return NUMBER;
      }
      if (value instanceof Boolean) {
        return BOOLEAN;
      }
      if (value instanceof JsonObject) {
        return OBJECT;
      }
      return value instanceof JsonArray ? ARRAY : STRING;
    }
  }

  /** Keys whose readers take more than one kind, with the kinds each takes. */
  static final Map<String, Set<Kind>> SEVERAL_KINDS = Map.of(
      // ModelPreload.from: true, false or "auto"
      "rag.preload_model", EnumSet.of(Kind.BOOLEAN, Kind.STRING),
      // Database.busyTimeoutMs parses a string of digits too (a number given in quotes)
      "database.busy_timeout_ms", EnumSet.of(Kind.NUMBER, Kind.STRING),
      // MemoryVerticle parses a string of digits too (a number given in quotes): the stale time of evaluations and
      // the retention job's schedule
      "memory.evaluation_stale_s", EnumSet.of(Kind.NUMBER, Kind.STRING),
      "memory.retention.interval_s", EnumSet.of(Kind.NUMBER, Kind.STRING),
      "memory.retention.first_run_s", EnumSet.of(Kind.NUMBER, Kind.STRING),
      // OpenAiEmbeddings.integer parses a string of digits too
      "rag.embeddings.max_retries", EnumSet.of(Kind.NUMBER, Kind.STRING));

  /**
   * Keys the bundled file ships as null (unset), with the kinds their readers take when they are given. Every null of
   * the bundled file is here ({@code ConfigChecksTest}), so that no key escapes the check by being unset.
   */
  static final Map<String, Set<Kind>> UNSET_KINDS = Map.ofEntries(
      Map.entry("admin_token", EnumSet.of(Kind.STRING)),
      Map.entry("sso.oidc.issuer", EnumSet.of(Kind.STRING)),
      Map.entry("sso.oidc.client_id", EnumSet.of(Kind.STRING)),
      Map.entry("sso.oidc.client_secret", EnumSet.of(Kind.STRING)),
      Map.entry("sso.oidc.provisioning.default_role", EnumSet.of(Kind.STRING)),
      Map.entry("database.url", EnumSet.of(Kind.STRING)),
      Map.entry("bot.default_provider", EnumSet.of(Kind.STRING)),
      Map.entry("mail.smtp_host", EnumSet.of(Kind.STRING)),
      Map.entry("mail.smtp_username", EnumSet.of(Kind.STRING)),
      // UrlFetcher.limits: unset follows rag.fetch_timeout_ms
      Map.entry("rag.fetch_idle_timeout_ms", EnumSet.of(Kind.NUMBER)),
      Map.entry("rag.embeddings.model", EnumSet.of(Kind.STRING)),
      Map.entry("rag.embeddings.base_url", EnumSet.of(Kind.STRING)),
      Map.entry("rag.embeddings.api_key", EnumSet.of(Kind.STRING)),
      // OpenAiEmbeddings.integer parses a string of digits too
      Map.entry("rag.embeddings.batch", EnumSet.of(Kind.NUMBER, Kind.STRING)),
      Map.entry("rag.embeddings.dimensions", EnumSet.of(Kind.NUMBER, Kind.STRING)),
      Map.entry("rag.qdrant.api_key", EnumSet.of(Kind.STRING)),
      Map.entry("provider.default_price", EnumSet.of(Kind.OBJECT)),
      Map.entry("provider.openai.api_key", EnumSet.of(Kind.STRING)),
      Map.entry("provider.anthropic.api_key", EnumSet.of(Kind.STRING)));

  /**
   * Keys the bundled file does not hold that Parley's own readers take, with their kinds: checked when given. Each
   * component's {@code instances} is checked as well ({@link #checkInstances}), shipped or not.
   */
  static final Map<String, Set<Kind>> NOT_SHIPPED_KINDS = Map.of(
      "secret_key", EnumSet.of(Kind.STRING),
      "mail.smtp_port", EnumSet.of(Kind.NUMBER),
      "provider.forward_timeout_ms", EnumSet.of(Kind.NUMBER));

  /** The most verticle instances one component may ask for: past it, a typo (an extra zero) rather than a plan. */
  static final int MAX_INSTANCES = 1024;

  private ConfigChecks() {
  }

  /**
   * {@code config} when it passes the checks against {@code reference}; else an IllegalArgumentException why. A key
   * set to null where the reference has a value is taken out, so that its reader takes its default: a reader's
   * {@code getLong(key, default)} answers the null itself, and the start failed on it with a NullPointerException.
   */
  static JsonObject verified(JsonObject config, JsonObject reference) {
    List<String> wrong = new ArrayList<>();
    check(reference, config, "", wrong);
    NOT_SHIPPED_KINDS.forEach((path, kinds) -> {
      Object found = valueAt(config, path);
      if (found != null && !kinds.contains(Kind.of(found))) {
        wrong.add(mustBe(path, kinds, found));
      }
    });
    checkInstances(config, wrong);
    if (!wrong.isEmpty()) {
      throw new IllegalArgumentException(String.join(". ", wrong));
    }
    checkHeartbeat(config);
    return config;
  }

  private static void check(JsonObject reference, JsonObject config, String prefix, List<String> wrong) {
    for (String key : reference.fieldNames()) {
      Object expected = reference.getValue(key);
      String path = prefix + key;
      Object found = config.getValue(key);
      if (found == null) {
        if (expected != null) {
          config.remove(key);
        }
        continue;
      }
      Set<Kind> kinds = expected == null ? UNSET_KINDS.get(path)
          : SEVERAL_KINDS.getOrDefault(path, EnumSet.of(Kind.of(expected)));
      if (kinds == null) {
        continue;
      }
      if (!kinds.contains(Kind.of(found))) {
        wrong.add(mustBe(path, kinds, found));
      } else if (expected instanceof JsonObject inner && found instanceof JsonObject actual) {
        check(inner, actual, path + ".", wrong);
      }
    }
  }

  private static String mustBe(String path, Set<Kind> kinds, Object found) {
    return "Config key " + path + " must be " + kinds.stream().map(kind -> kind.words).collect(Collectors.joining(" or "))
        + ", not " + Kind.of(found).words;
  }

  /** The value at a dotted path, or null when it or an object on the way is missing. */
  private static Object valueAt(JsonObject config, String path) {
    String[] parts = path.split("\\.");
    JsonObject node = config;
    for (int i = 0; i < parts.length - 1; i++) {
      node = object(node, parts[i]);
    }
    return node.getValue(parts[parts.length - 1]);
  }

  /**
   * Each component's {@code instances} (its verticle's copies on this node), when given, is a whole number from 1 to
   * {@link #MAX_INSTANCES}: a string failed the start with a ClassCastException, 0 or a fraction deployed nothing.
   */
  private static void checkInstances(JsonObject config, List<String> wrong) {
    for (String component : MainVerticle.components()) {
      String key = "Config key " + component + ".instances ";
      if (wrong.stream().anyMatch(message -> message.startsWith(key))) {
        continue; // its kind is named already
      }
      Object found = object(config, component).getValue("instances");
      boolean whole = found instanceof Integer || found instanceof Long;
      if (found != null && (!whole || ((Number) found).longValue() < 1
          || ((Number) found).longValue() > MAX_INSTANCES)) {
        wrong.add(key + "must be a whole number from 1 to " + MAX_INSTANCES);
      }
    }
  }

  /** Each value as its reader takes it: not positive stands for its default. */
  private static void checkHeartbeat(JsonObject config) {
    Object beat = object(object(config, "http"), "evaluations").getValue("heartbeat_ms");
    long heartbeatMs = EvaluationRunner.heartbeatIntervalMs(beat instanceof Number number ? number.longValue() : 0);
    long staleMs = MemoryVerticle.evaluationStaleMs(object(config, "memory"));
    if (heartbeatMs >= staleMs) {
      throw new IllegalArgumentException("Config key http.evaluations.heartbeat_ms (" + heartbeatMs
          + " ms) must be less than memory.evaluation_stale_s (" + staleMs / 1_000
          + " s), or every running evaluation is taken for interrupted");
    }
  }

  private static JsonObject object(JsonObject parent, String key) {
    return parent.getValue(key) instanceof JsonObject child ? child : new JsonObject();
  }
}
