package dev.parley.provider;

import io.vertx.core.json.JsonObject;

/**
 * The provider verticle's configuration, with defaults for anything absent. Vendor sections
 * ({@code openai}, {@code anthropic}, …) hold {@code base_url}, {@code api_key} and vendor
 * extras such as Anthropic's {@code version}.
 */
public record ProviderSettings(
    long connectTimeoutMs,
    long idleTimeoutMs,
    long requestTimeoutMs,
    long forwardTimeoutMs,
    RetryPolicy retry,
    String pricesFile,
    JsonObject config) {

  public static ProviderSettings from(JsonObject config) {
    JsonObject c = config == null ? new JsonObject() : config;
    long requestTimeout = c.getLong("request_timeout_ms", 120_000L);
    return new ProviderSettings(
        c.getLong("connect_timeout_ms", 10_000L),
        c.getLong("idle_timeout_ms", 60_000L),
        requestTimeout,
        c.getLong("forward_timeout_ms", requestTimeout),
        new RetryPolicy(
            c.getInteger("max_retries", 2),
            c.getLong("backoff_initial_ms", 250L),
            c.getLong("backoff_max_ms", 4_000L),
            c.getLong("max_retry_after_s", 20L)),
        c.getString("prices_file", "conf/prices.json"),
        c);
  }

  /** A vendor's section, empty when absent. */
  public JsonObject vendor(String name) {
    JsonObject section = config.getJsonObject(name);
    return section == null ? new JsonObject() : section;
  }
}
