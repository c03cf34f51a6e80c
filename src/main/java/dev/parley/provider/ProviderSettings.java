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
    Breaker breaker,
    String pricesFile,
    JsonObject config) {

  /**
   * The circuit breaker of each (provider, base URL), from {@code circuit_breaker}: it opens after
   * {@code max_failures} failed calls (each after its retries) within {@code failure_window_ms}
   * with no success between them, fails calls at once while open, and lets one probe call through
   * {@code reset_timeout_ms} later; the probe's success closes it, its failure opens it again.
   */
  public record Breaker(int maxFailures, long resetTimeoutMs, long failureWindowMs) {

    static Breaker from(JsonObject c) {
      JsonObject b = c == null ? new JsonObject() : c;
      return new Breaker(Math.max(1, b.getInteger("max_failures", 5)),
          Math.max(1, b.getLong("reset_timeout_ms", 30_000L)),
          Math.max(1_000, b.getLong("failure_window_ms", 60_000L)));
    }
  }

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
        Breaker.from(c.getJsonObject("circuit_breaker")),
        c.getString("prices_file", "conf/prices.json"),
        c);
  }

  /**
   * Connections per upstream host kept by each provider instance ({@code max_connections},
   * default 256). Every answer in flight, streamed or not, holds one for its whole duration.
   */
  public int maxConnections() {
    return Math.max(1, config.getInteger("max_connections", 256));
  }

  /**
   * Whether model calls use HTTP/2 ({@code http2}, default false): negotiated by ALPN on https (servers
   * without it get HTTP/1.1), and spoken directly (h2c, prior knowledge) on plain http, which only
   * suits servers that speak it. Many answers then share a few connections: one connection per
   * answer in flight limits how many one node can hold open.
   */
  public boolean http2() {
    return config.getBoolean("http2", false);
  }

  /** HTTP/2 connections per upstream host and provider instance ({@code http2_connections}, default 2). */
  public int http2Connections() {
    return Math.max(1, config.getInteger("http2_connections", 2));
  }

  /**
   * The longest answer Parley takes from a model, in characters ({@code max_answer_chars}, default
   * 1,000,000: about 250,000 tokens, above the highest {@code max_tokens} a bot may set). A stream is cut
   * there and its upstream request stopped; a JSON body is read up to six bytes per character plus 64 KiB.
   */
  public int maxAnswerChars() {
    return Math.max(1, config.getInteger("max_answer_chars", 1_000_000));
  }

  /**
   * The price of models the price file does not list ({@code default_price: {input, output}}, USD per million
   * tokens), or null: then they cost 0 and bots may not set a {@code budget.daily_cost} on them.
   */
  public Pricing.Price defaultPrice() {
    Object value = config.getValue("default_price");
    if (value == null) {
      return null;
    }
    if (value instanceof JsonObject price && price.getValue("input") instanceof Number input
        && price.getValue("output") instanceof Number output && input.doubleValue() >= 0 && output.doubleValue() >= 0) {
      return new Pricing.Price(input.doubleValue(), output.doubleValue());
    }
    throw new IllegalArgumentException("provider.default_price must be null or {\"input\": USD, \"output\": USD}"
        + " per million tokens, both 0 or more");
  }

  /** A vendor's section, empty when absent. */
  public JsonObject vendor(String name) {
    JsonObject section = config.getJsonObject(name);
    return section == null ? new JsonObject() : section;
  }
}
