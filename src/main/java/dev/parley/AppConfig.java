package dev.parley;

import dev.parley.common.KeyScope;
import dev.parley.common.Timeouts;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parley's configuration: {@code conf/config.json} (or the file {@code PARLEY_CONFIG} names)
 * &lt; environment variables &lt; system properties. Variables keep their documented names in
 * both places ({@code PARLEY_PORT=9000} or {@code -DPARLEY_PORT=9000}); the table below says
 * where each lands in the JSON tree. Each verticle gets its own sub-object plus the shared keys.
 */
public final class AppConfig {

  /** Environment variable → JSON path. */
  static final Map<String, String> VARIABLES = new LinkedHashMap<>();

  static {
    VARIABLES.put("PARLEY_PORT", "http.port");
    VARIABLES.put("PARLEY_HOST", "http.host");
    VARIABLES.put("PARLEY_TRUSTED_PROXIES", "http.trusted_proxies");
    VARIABLES.put("PARLEY_PUBLIC_URL", "public_url");
    VARIABLES.put("PARLEY_DATA_DIR", "data_dir");
    VARIABLES.put("PARLEY_ADMIN_TOKEN", "admin_token");
    VARIABLES.put("PARLEY_ADMIN_TOKEN_DISABLED", "http.admin_token_disabled");
    VARIABLES.put("PARLEY_SECRET_KEY", "secret_key");
    VARIABLES.put("PARLEY_DATABASE_URL", "database.url");
    VARIABLES.put("PARLEY_DATABASE_POOL_SIZE", "database.pool_size");
    VARIABLES.put("PARLEY_DB_SYNCHRONOUS", "database.synchronous");
    VARIABLES.put("PARLEY_DB_BUSY_TIMEOUT_MS", "database.busy_timeout_ms");
    VARIABLES.put("PARLEY_OIDC_ISSUER", "sso.oidc.issuer");
    VARIABLES.put("PARLEY_OIDC_CLIENT_ID", "sso.oidc.client_id");
    VARIABLES.put("PARLEY_OIDC_CLIENT_SECRET", "sso.oidc.client_secret");
    VARIABLES.put("PARLEY_ROLES", "roles");
    VARIABLES.put("PARLEY_CLUSTER_HOST", "cluster.host");
    VARIABLES.put("PARLEY_CLUSTER_PORT", "cluster.port");
    VARIABLES.put("PARLEY_CLUSTER_MEMBERS", "cluster.members");
    VARIABLES.put("OPENAI_API_KEY", "provider.openai.api_key");
    VARIABLES.put("OPENAI_BASE_URL", "provider.openai.base_url");
    VARIABLES.put("ANTHROPIC_API_KEY", "provider.anthropic.api_key");
    VARIABLES.put("ANTHROPIC_BASE_URL", "provider.anthropic.base_url");
    VARIABLES.put("PARLEY_PROVIDER_HTTP2", "provider.http2");
    VARIABLES.put("PARLEY_EMBEDDINGS_PROVIDER", "rag.embeddings.provider");
    VARIABLES.put("PARLEY_EMBEDDINGS_MODEL", "rag.embeddings.model");
    VARIABLES.put("PARLEY_EMBEDDINGS_BASE_URL", "rag.embeddings.base_url");
    VARIABLES.put("PARLEY_EMBEDDINGS_API_KEY", "rag.embeddings.api_key");
    VARIABLES.put("PARLEY_EMBEDDINGS_DIMENSIONS", "rag.embeddings.dimensions");
    VARIABLES.put("PARLEY_EMBEDDINGS_BATCH", "rag.embeddings.batch");
    VARIABLES.put("PARLEY_SMTP_HOST", "mail.smtp_host");
    VARIABLES.put("PARLEY_SMTP_PORT", "mail.smtp_port");
    VARIABLES.put("PARLEY_SMTP_USERNAME", "mail.smtp_username");
    VARIABLES.put("PARLEY_SMTP_PASSWORD", "mail.smtp_password");
    VARIABLES.put("PARLEY_SMTP_TLS", "mail.smtp_tls");
    VARIABLES.put("PARLEY_MAIL_FROM", "mail.from");
  }

  private static final String DEFAULT_FILE = "conf/config.json";

  /** Keys every verticle receives besides its own sub-object. */
  private static final String[] SHARED = {"data_dir", "public_url", "secret_key", "database", "timeouts"};

  private AppConfig() {
  }

  /** Reads the stores in order file → environment → system properties and resolves the result. */
  public static Future<JsonObject> load(Vertx vertx) {
    return load(vertx, System.getProperty("PARLEY_CONFIG", System.getenv("PARLEY_CONFIG")));
  }

  /**
   * The same with the file {@code named} ({@code conf/config.json} when null). The default file may be missing (the
   * copy inside the jar stands in for it, or the environment says everything); a named file must exist, and a file
   * that exists must be valid JSON: an optional store that fails is read as empty, and a node whose config file had a
   * typo started with no roles at all. The result must pass {@link ConfigChecks} (a value of the wrong kind is named).
   */
  static Future<JsonObject> load(Vertx vertx, String named) {
    String file = named == null ? DEFAULT_FILE : named;
    boolean optional = named == null && !vertx.fileSystem().existsBlocking(file);
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .addStore(new ConfigStoreOptions().setType("file").setOptional(optional)
            .setConfig(new JsonObject().put("path", file)))
        .addStore(new ConfigStoreOptions().setType("env")
            .setConfig(new JsonObject().put("keys", new JsonArray(VARIABLES.keySet().stream().toList()))))
        .addStore(new ConfigStoreOptions().setType("sys")
            .setConfig(new JsonObject().put("cache", false)));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig().eventually(retriever::close)
        .recover(failure -> Future.failedFuture(new IllegalArgumentException(unreadable(file, failure))))
        .map(AppConfig::resolve)
        .compose(config -> vertx.executeBlocking(() -> ConfigChecks.verified(config, bundled())));
  }

  /**
   * The bundled {@code conf/config.json}: the copy on the class path (in the jar, or put there by the build), never the
   * operator's file; the reference for the kinds of the keys ({@link ConfigChecks}). Blocking.
   */
  public static JsonObject bundled() {
    try (InputStream in = AppConfig.class.getClassLoader().getResourceAsStream(DEFAULT_FILE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_FILE + " is missing from the class path");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException unreadable) {
      throw new UncheckedIOException(unreadable);
    }
  }

  /**
   * Why the config file could not be read. For invalid JSON only where (a parser's message can quote a token of the
   * file, which may be a secret).
   */
  static String unreadable(String file, Throwable failure) {
    if (failure instanceof io.vertx.core.json.DecodeException) {
      java.util.regex.Matcher at = java.util.regex.Pattern.compile("line: (\\d+), column: (\\d+)")
          .matcher(String.valueOf(failure.getMessage()));
      String where = "";
      while (at.find()) {
        where = " (line " + at.group(1) + ", column " + at.group(2) + ")";
      }
      return "The config file " + file + " is not valid JSON" + where;
    }
    return "The config file " + file + " could not be read: " + failure.getMessage();
  }

  /** Moves the flat variable names present in {@code merged} to their place in the tree. */
  public static JsonObject resolve(JsonObject merged) {
    JsonObject config = new JsonObject();
    merged.forEach(entry -> {
      if (!VARIABLES.containsKey(entry.getKey()) && !entry.getKey().contains(".") && !isUpperCase(entry.getKey())) {
        config.put(entry.getKey(), entry.getValue());
      }
    });
    for (Map.Entry<String, String> variable : VARIABLES.entrySet()) {
      Object value = merged.getValue(variable.getKey());
      if (value != null && !value.toString().isEmpty()) {
        set(config, variable.getValue(), convert(variable.getKey(), variable.getValue(), value));
      }
    }
    return config;
  }

  /** The config of one component: its sub-object with the shared keys added. */
  public static JsonObject forComponent(JsonObject config, String component) {
    JsonObject own = config.getJsonObject(component, new JsonObject()).copy();
    for (String key : SHARED) {
      if (config.containsKey(key)) {
        own.put(key, config.getValue(key));
      }
    }
    if (!own.containsKey("timeouts")) {
      own.put("timeouts", Timeouts.from(null).toJson());
    }
    if ("rag".equals(component)) {
      embeddingDefaults(config, own);
    }
    if ("http".equals(component) && config.containsKey("sso")) {
      own.put("sso", config.getValue("sso"));
    }
    return own;
  }

  /**
   * OpenAI-compatible embeddings without their own key or base URL use the chat provider's
   * ({@code provider.openai}, i.e. {@code OPENAI_API_KEY} and {@code OPENAI_BASE_URL}); the key only when the
   * embeddings go where it belongs ({@link KeyScope}): embeddings with a base URL of their own bring their own key.
   */
  private static void embeddingDefaults(JsonObject config, JsonObject rag) {
    JsonObject embeddings = rag.getJsonObject("embeddings");
    if (embeddings == null || !"openai".equals(embeddings.getValue("provider"))) {
      return;
    }
    JsonObject openai = config.getJsonObject("provider", new JsonObject()).getJsonObject("openai", new JsonObject());
    String home = KeyScope.home("openai", openai.getValue("base_url") instanceof String s ? s : null);
    for (String key : new String[] {"base_url", "api_key"}) {
      Object own = embeddings.getValue(key);
      Object shared = openai.getValue(key);
      boolean scoped = !key.equals("api_key") || KeyScope.covers(home,
          embeddings.getValue("base_url") instanceof String url && !url.isBlank() ? url : KeyScope.home("openai", null));
      if ((own == null || own.toString().isBlank()) && shared instanceof String s && !s.isBlank() && scoped) {
        embeddings.put(key, s);
      }
    }
  }

  private static Object convert(String variable, String path, Object value) {
    String text = value.toString().trim();
    switch (path) {
      case "http.port":
      case "cluster.port":
      case "database.pool_size":
      case "rag.embeddings.dimensions":
      case "rag.embeddings.batch":
      case "mail.smtp_port":
      case "database.busy_timeout_ms":
        try {
          return Integer.parseInt(text);
        } catch (NumberFormatException notANumber) {
          throw new IllegalArgumentException(variable + " must be a whole number");
        }
      case "provider.http2":
      case "http.admin_token_disabled":
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException(variable + " must be true or false");
        }
        return Boolean.parseBoolean(text);
      case "roles":
      case "cluster.members":
      case "http.trusted_proxies":
        return value instanceof JsonArray array ? array : new JsonArray(Arrays.stream(text.split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).toList());
      default:
        return text;
    }
  }

  private static void set(JsonObject root, String path, Object value) {
    String[] parts = path.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    node.put(parts[parts.length - 1], value);
  }

  private static boolean isUpperCase(String key) {
    return key.equals(key.toUpperCase());
  }
}
