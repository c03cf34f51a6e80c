package dev.parley.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class RetryPolicyAndPricingTest {

  private final RetryPolicy policy = new RetryPolicy(2, 250, 4000, 20);

  @Test
  void backoff_grows_exponentially_with_jitter_and_stops_at_the_cap() {
    for (int i = 0; i < 200; i++) {
      assertThat(policy.backoff(1)).isBetween(125L, 250L);
      assertThat(policy.backoff(2)).isBetween(250L, 500L);
      assertThat(policy.backoff(3)).isBetween(500L, 1000L);
      assertThat(policy.backoff(10)).isBetween(2000L, 4000L);
    }
  }

  @Test
  void retry_after_is_honoured_up_to_the_limit() {
    assertThat(policy.delayBefore(1, ProviderFailure.http(429, 3000))).isEqualTo(3000);
    assertThat(policy.delayBefore(1, ProviderFailure.http(429, 21_000))).isEqualTo(-1);
    assertThat(policy.delayBefore(1, ProviderFailure.http(503, 20_000))).isEqualTo(20_000);
  }

  @Test
  void only_transient_failures_are_retried_and_only_max_retries_times() {
    assertThat(policy.delayBefore(1, ProviderFailure.http(500, -1))).isPositive();
    assertThat(policy.delayBefore(2, ProviderFailure.http(529, -1))).isPositive();
    assertThat(policy.delayBefore(3, ProviderFailure.http(500, -1))).isEqualTo(-1);
    assertThat(policy.delayBefore(1, ProviderFailure.connection("refused"))).isPositive();
    assertThat(policy.delayBefore(1, ProviderFailure.inBand())).isPositive();
    for (int status : new int[] {400, 401, 403, 404, 422}) {
      assertThat(policy.delayBefore(1, ProviderFailure.http(status, -1))).as("status %d", status).isEqualTo(-1);
    }
    assertThat(policy.delayBefore(1, ProviderFailure.quota(429))).isEqualTo(-1);
    assertThat(policy.delayBefore(1, ProviderFailure.timeout("idle"))).isEqualTo(-1);
    assertThat(policy.delayBefore(1, ProviderFailure.protocol("bad json"))).isEqualTo(-1);
    assertThat(policy.delayBefore(1, ProviderFailure.streamBroken("reset"))).isEqualTo(-1);
  }

  @Test
  void retry_after_headers_are_read_as_seconds_milliseconds_or_a_date() {
    assertThat(UpstreamHttp.retryAfterMs(MultiMap.caseInsensitiveMultiMap().add("Retry-After", "7"))).isEqualTo(7000);
    assertThat(UpstreamHttp.retryAfterMs(MultiMap.caseInsensitiveMultiMap().add("retry-after-ms", "1500")
        .add("retry-after", "2"))).isEqualTo(1500);
    assertThat(UpstreamHttp.retryAfterMs(MultiMap.caseInsensitiveMultiMap().add("Retry-After",
        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
            java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(10))))).isBetween(8000L, 10_000L);
    assertThat(UpstreamHttp.retryAfterMs(MultiMap.caseInsensitiveMultiMap())).isEqualTo(-1);
    assertThat(UpstreamHttp.retryAfterMs(MultiMap.caseInsensitiveMultiMap().add("Retry-After", "soon"))).isEqualTo(-1);
  }

  @Test
  void prices_match_exact_names_then_the_longest_prefix() {
    Pricing pricing = Pricing.of(new JsonObject().put("models", new JsonObject()
        .put("gpt-4o", new JsonObject().put("input", 2.5).put("output", 10.0))
        .put("gpt-4o-mini", new JsonObject().put("input", 0.15).put("output", 0.6))));
    assertThat(pricing.cost("gpt-4o", 1_000_000, 1_000_000)).isCloseTo(12.5, within(1e-9));
    assertThat(pricing.cost("gpt-4o-mini-2024-07-18", 1_000_000, 0)).isCloseTo(0.15, within(1e-9));
    assertThat(pricing.cost("gpt-4o-2024-08-06", 0, 1000)).isCloseTo(0.01, within(1e-9));
    assertThat(pricing.cost("openai/gpt-4o-mini", 2_000_000, 0)).isCloseTo(0.3, within(1e-9));
    assertThat(pricing.cost("llama3.1:8b", 1000, 1000)).isZero();
    assertThat(pricing.cost(null, 1000, 1000)).isZero();
  }

  @Test
  void the_shipped_price_file_loads_from_the_classpath_and_knows_current_models(Vertx vertx, VertxTestContext ctx) {
    Pricing.load(vertx, "/conf/prices.json").onComplete(ctx.succeeding(pricing -> ctx.verify(() -> {
      for (String model : new String[] {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o3-mini", "o4-mini",
          "claude-3-5-haiku-20241022", "claude-sonnet-4-20250514", "claude-opus-4-1-20250805"}) {
        assertThat(pricing.price(model)).as(model).isNotNull();
      }
      assertThat(pricing.price("gpt-4.1-mini-2025-04-14")).isEqualTo(new Pricing.Price(0.4, 1.6));
      assertThat(pricing.price("o1-mini")).isEqualTo(new Pricing.Price(1.1, 4.4));
      ctx.completeNow();
    })));
  }

  @Test
  void a_missing_price_file_means_zero_cost(Vertx vertx, VertxTestContext ctx) {
    Pricing.load(vertx, "does/not/exist.json").onComplete(ctx.succeeding(pricing -> ctx.verify(() -> {
      assertThat(pricing.cost("gpt-4o", 1000, 1000)).isZero();
      ctx.completeNow();
    })));
  }

  @Test
  void the_upstream_pool_holds_256_connections_unless_configured() {
    assertThat(ProviderSettings.from(new JsonObject()).maxConnections()).isEqualTo(256);
    assertThat(ProviderSettings.from(new JsonObject().put("max_connections", 1000)).maxConnections()).isEqualTo(1000);
    assertThat(ProviderSettings.from(new JsonObject().put("max_connections", 0)).maxConnections()).isEqualTo(1);
  }
}
