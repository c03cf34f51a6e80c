package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Item 9 of issue 11: wrong admin tokens are throttled per client address. Each test plays its own address
 * through {@code X-Forwarded-For} (127.0.0.1 is a trusted proxy here), with a limit of 5 failures a minute.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AdminAuthThrottleTest {

  private static final int LIMIT = 5;
  private static final String WRONG = "wrong-token-but-long-enough-0123456789";

  private static TestApp app;
  private ListAppender<ILoggingEvent> logs;

  @ParleyConfig
  static JsonObject config() {
    JsonObject http = new JsonObject().put("trusted_proxies", new JsonArray().add("127.0.0.1"))
        .put("admin_auth_failures_per_minute", LIMIT);
    return new JsonObject().put("http", http);
  }

  @BeforeEach
  void listen() throws InterruptedException {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    // Counts live in one-minute windows: start far enough from a boundary that a test's requests share one.
    while (System.currentTimeMillis() % 60_000 > 50_000) {
      Thread.sleep(200);
    }
  }

  @AfterEach
  void detach() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  @Test
  void wrong_tokens_past_the_limit_get_429_with_retry_after_and_one_warn_without_the_token() throws Exception {
    String address = "203.0.113.10";
    for (int i = 0; i < LIMIT; i++) {
      assertThat(send(HttpMethod.GET, "/api/bots", address, WRONG).statusCode()).as("attempt %d", i + 1).isEqualTo(401);
    }
    HttpResponse<Buffer> refused = send(HttpMethod.GET, "/api/bots", address, WRONG);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("rate_limited");
    assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isBetween(1L, 60L);
    assertThat(send(HttpMethod.GET, "/api/bots", address, TestApp.ADMIN_TOKEN).statusCode())
        .as("a right token while locked out (a 200 would tell a guesser it found it)").isEqualTo(429);

    var warnings = logs.list.stream().filter(e -> e.getLoggerName().endsWith("AdminAuthHandler")).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getLevel().toString()).isEqualTo("WARN");
    assertThat(warnings.get(0).getFormattedMessage()).contains(address).doesNotContain(WRONG)
        .doesNotContain(TestApp.ADMIN_TOKEN);
  }

  @Test
  void right_tokens_are_never_counted_and_other_addresses_are_not_affected() throws Exception {
    String admin = "203.0.113.20";
    for (int i = 0; i < 3 * LIMIT; i++) {
      assertThat(send(HttpMethod.GET, "/api/bots", admin, TestApp.ADMIN_TOKEN).statusCode()).isEqualTo(200);
    }
    for (int i = 0; i < LIMIT - 1; i++) {
      assertThat(send(HttpMethod.GET, "/api/bots", admin, WRONG).statusCode()).isEqualTo(401);
    }
    assertThat(send(HttpMethod.GET, "/api/bots", admin, TestApp.ADMIN_TOKEN).statusCode()).isEqualTo(200);

    String attacker = "203.0.113.21";
    for (int i = 0; i <= LIMIT; i++) {
      send(HttpMethod.GET, "/api/bots", attacker, WRONG);
    }
    assertThat(send(HttpMethod.GET, "/api/bots", attacker, WRONG).statusCode()).isEqualTo(429);
    assertThat(send(HttpMethod.GET, "/api/bots", admin, TestApp.ADMIN_TOKEN).statusCode()).isEqualTo(200);
  }

  @Test
  void metrics_and_every_admin_route_share_the_count() throws Exception {
    String address = "2001:db8::30";
    for (int i = 0; i < LIMIT; i++) {
      HttpMethod method = i % 2 == 0 ? HttpMethod.GET : HttpMethod.DELETE;
      String path = i % 2 == 0 ? "/metrics" : "/api/bots/bot_x";
      assertThat(send(method, path, address, i == 0 ? null : WRONG).statusCode()).isEqualTo(401);
    }
    assertThat(send(HttpMethod.GET, "/metrics", address, WRONG).statusCode()).isEqualTo(429);
    assertThat(send(HttpMethod.POST, "/api/bots", address, null).statusCode()).isEqualTo(429);
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path, String address, String token) throws Exception {
    var request = app.client.request(method, path).putHeader("X-Forwarded-For", address);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.send().await(20, TimeUnit.SECONDS);
  }
}
