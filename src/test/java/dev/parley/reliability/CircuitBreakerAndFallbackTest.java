package dev.parley.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Bus;
import dev.parley.common.ProviderClient;
import dev.parley.common.Timeouts;
import dev.parley.fake.Fault;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The circuit breaker of each (provider, base URL) and the bots' fallback provider, end to end.
 * No retries here, so each failing turn is one upstream request and one breaker failure.
 */
@ParleyTest
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class CircuitBreakerAndFallbackTest {

  private static final int MAX_FAILURES = 5;
  private static final long RESET_TIMEOUT_MS = 800;
  private static final String ANTHROPIC_CONFIG_KEY = "sk-ant-config-key-for-fallbacks";

  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("provider", new JsonObject()
        .put("idle_timeout_ms", 400)
        .put("request_timeout_ms", 1_500)
        .put("max_retries", 0)
        .put("circuit_breaker", new JsonObject()
            .put("max_failures", MAX_FAILURES).put("reset_timeout_ms", RESET_TIMEOUT_MS))
        .put("openai", new JsonObject().put("api_key", "sk-openai-config-key"))
        .put("anthropic", new JsonObject().put("api_key", ANTHROPIC_CONFIG_KEY)));
  }

  @BeforeAll
  static void warmUp(VertxTestContext test) {
    Turns.openAiBot(app, new JsonObject())
        .compose(bot -> Turns.json(app, bot, "warm-up-session", "warm up"))
        .onComplete(test.succeedingThenComplete());
  }

  @BeforeEach
  void resetFakes() {
    app.openai.reset();
    app.anthropic.reset();
  }

  private static JsonObject fallback(String provider, String model) {
    JsonObject spec = new JsonObject().put("provider", provider);
    return new JsonObject().put("fallback", model == null ? spec : spec.put("model", model));
  }

  /** Runs {@code turn} {@code n} times, one after the other, checking each with {@code check}. */
  private static <T> Future<Void> times(int n, Supplier<Future<T>> turn, java.util.function.Consumer<T> check) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < n; i++) {
      chain = chain.compose(v -> turn.get().map(result -> {
        check.accept(result);
        return null;
      }));
    }
    return chain;
  }

  // ---- circuit breaker ------------------------------------------------------------------------------

  @Test
  void failing_turns_open_the_circuit_then_turns_fail_fast_until_a_probe_closes_it(Vertx vertx,
      VertxTestContext test) {
    for (int i = 0; i < MAX_FAILURES; i++) {
      app.openai.enqueue(Fault.status(500));
    }
    Turns.openAiBot(app, new JsonObject()).compose(bot -> times(MAX_FAILURES,
            () -> Turns.json(app, bot, "breaker-session-1", "are you up?"),
            turn -> assertThat(turn.status()).isEqualTo(502))
        .compose(v -> Turns.json(app, bot, "breaker-session-1", "and now?"))
        .compose(open -> {
          assertThat(open.status()).isEqualTo(503);
          assertThat(open.errorCode()).isEqualTo("provider_circuit_open");
          assertThat(open.response().getHeader("Retry-After")).isEqualTo("1");
          assertThat(open.elapsedMs()).as("fail fast").isLessThan(100);
          assertThat(app.openai.requestCount()).isEqualTo(MAX_FAILURES);
          return Turns.stream(app, bot, "breaker-session-1", "streaming?");
        })
        .compose(open -> {
          assertThat(open.names()).containsExactly("start", "error");
          assertThat(open.first("error").getString("code")).isEqualTo("provider_circuit_open");
          assertThat(open.first("error").getLong("retry_after")).isPositive();
          assertThat(app.openai.requestCount()).isEqualTo(MAX_FAILURES);
          return Turns.log(app, bot, "breaker-session-1");
        })
        .compose(log -> {
          // every user message is kept, with its failure
          assertThat(log).hasSize(MAX_FAILURES + 2);
          assertThat(log.getJsonObject(MAX_FAILURES).getString("content")).isEqualTo("and now?");
          assertThat(log.getJsonObject(MAX_FAILURES).getString("error")).isEqualTo("provider_circuit_open");
          return vertx.timer(RESET_TIMEOUT_MS + 100);
        })
        .compose(v -> Turns.json(app, bot, "breaker-session-1", "probe"))
        .compose(probe -> {
          assertThat(probe.status()).isEqualTo(200);
          assertThat(probe.body().getString("response")).isEqualTo("Echo: probe");
          return Turns.json(app, bot, "breaker-session-1", "closed again?");
        })
        .map(closed -> {
          assertThat(closed.status()).isEqualTo(200);
          assertThat(app.openai.requestCount()).isEqualTo(MAX_FAILURES + 2);
          return null;
        })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_failed_probe_opens_the_circuit_again(Vertx vertx, VertxTestContext test) {
    for (int i = 0; i < MAX_FAILURES + 1; i++) {
      app.openai.enqueue(Fault.status(503));
    }
    Turns.openAiBot(app, new JsonObject()).compose(bot -> times(MAX_FAILURES,
            () -> Turns.json(app, bot, "probe-session-1", "up?"),
            turn -> assertThat(turn.status()).isEqualTo(502))
        .compose(v -> vertx.timer(RESET_TIMEOUT_MS + 100))
        .compose(v -> Turns.json(app, bot, "probe-session-1", "probe"))
        .compose(probe -> {
          assertThat(probe.status()).isEqualTo(502);
          assertThat(probe.errorCode()).isEqualTo("provider_unavailable");
          return Turns.json(app, bot, "probe-session-1", "still down?");
        })
        .map(open -> {
          assertThat(open.status()).isEqualTo(503);
          assertThat(open.errorCode()).isEqualTo("provider_circuit_open");
          assertThat(app.openai.requestCount()).isEqualTo(MAX_FAILURES + 1);
          return null;
        })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void errors_caused_by_the_request_or_the_key_do_not_open_the_circuit(VertxTestContext test) {
    for (int i = 0; i < MAX_FAILURES; i++) {
      app.openai.enqueue(Fault.status(i % 2 == 0 ? 400 : 401));
    }
    app.openai.enqueue(Fault.insufficientQuota());
    Turns.openAiBot(app, new JsonObject()).compose(bot -> times(MAX_FAILURES + 1,
            () -> Turns.json(app, bot, "client-errors-1", "hello"),
            // the visitor sees one generic error for all three; the log keeps the specific code
            turn -> assertThat(turn.errorCode()).isEqualTo("bot_unavailable"))
        .compose(v -> Turns.json(app, bot, "client-errors-1", "hello"))
        .map(turn -> {
          assertThat(turn.status()).isEqualTo(200);
          assertThat(app.openai.requestCount()).isEqualTo(MAX_FAILURES + 2);
          return null;
        })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void each_base_url_has_a_circuit_of_its_own(VertxTestContext test) {
    for (int i = 0; i < MAX_FAILURES; i++) {
      app.openai.enqueue(Fault.status(500));
    }
    Future.all(Turns.openAiBot(app, new JsonObject()), Turns.openAiBot(app, new JsonObject()))
        .compose(bots -> {
          String broken = bots.resultAt(0);
          String healthy = bots.resultAt(1);
          return times(MAX_FAILURES, () -> Turns.json(app, broken, "own-circuit-1", "hello"),
                  turn -> assertThat(turn.status()).isEqualTo(502))
              .compose(v -> Future.all(Turns.json(app, broken, "own-circuit-1", "hello"),
                  Turns.json(app, healthy, "own-circuit-2", "hello")))
              .map(both -> {
                assertThat(((Turns.Timed) both.resultAt(0)).errorCode()).isEqualTo("provider_circuit_open");
                assertThat(((Turns.Timed) both.resultAt(1)).status()).isEqualTo(200);
                return null;
              });
        }).onComplete(test.succeedingThenComplete());
  }

  // ---- fallback -----------------------------------------------------------------------------------

  @Test
  void a_failing_provider_hands_the_turn_to_the_fallback_with_its_configured_key(VertxTestContext test) {
    app.openai.enqueue(Fault.status(500));
    Turns.openAiBot(app, fallback("anthropic", "claude-fallback"))
        .compose(bot -> Turns.json(app, bot, "fallback-json-1", "hello").compose(turn -> {
          assertThat(turn.status()).isEqualTo(200);
          assertThat(turn.body().getString("response")).isEqualTo("Echo: hello");
          assertThat(app.openai.requestCount()).isEqualTo(1);
          assertThat(app.anthropic.requestCount()).isEqualTo(1);
          assertThat(app.anthropic.requests().get(0).getString("model")).isEqualTo("claude-fallback");
          assertThat(app.anthropic.requestHeaders().get(0).get("x-api-key")).isEqualTo(ANTHROPIC_CONFIG_KEY);
          return Turns.log(app, bot, "fallback-json-1");
        }))
        .map(log -> {
          assertThat(log).hasSize(2);
          JsonObject answer = log.getJsonObject(1);
          assertThat(answer.getString("status")).isEqualTo("complete");
          assertThat(answer.getString("provider")).isEqualTo("anthropic");
          assertThat(answer.getString("model")).isEqualTo("claude-fallback");
          return null;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_open_circuit_sends_turns_straight_to_the_fallback(VertxTestContext test) {
    for (int i = 0; i < MAX_FAILURES; i++) {
      app.openai.enqueue(Fault.status(502));
    }
    Turns.openAiBot(app, fallback("anthropic", "claude-fallback")).compose(bot -> times(MAX_FAILURES,
            () -> Turns.json(app, bot, "fallback-open-1", "hello"),
            turn -> assertThat(turn.status()).isEqualTo(200))
        .compose(v -> Turns.json(app, bot, "fallback-open-1", "after"))
        .map(turn -> {
          assertThat(turn.status()).isEqualTo(200);
          assertThat(turn.body().getString("response")).isEqualTo("Echo: after");
          assertThat(turn.elapsedMs()).isLessThan(100);
          // the open circuit kept the sixth turn away from the failing provider
          assertThat(app.openai.requestCount()).isEqualTo(MAX_FAILURES);
          assertThat(app.anthropic.requestCount()).isEqualTo(MAX_FAILURES + 1);
          return null;
        })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_falls_back_to_the_extractive_provider_before_any_text(VertxTestContext test) {
    app.openai.enqueue(Fault.stall());
    Turns.openAiBot(app, fallback("extractive", null).put("fallback_text", "Our team will get back to you."))
        .compose(bot -> Turns.stream(app, bot, "fallback-sse-1", "hello").compose(turn -> {
          assertThat(turn.names()).startsWith("start").endsWith("done").doesNotContain("error");
          assertThat(turn.text()).isEqualTo("Our team will get back to you.");
          return Turns.log(app, bot, "fallback-sse-1");
        }))
        .map(log -> {
          assertThat(log.getJsonObject(1).getString("status")).isEqualTo("complete");
          assertThat(log.getJsonObject(1).getString("provider")).isEqualTo("extractive");
          return null;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void there_is_no_fallback_once_text_went_out(VertxTestContext test) {
    app.openai.enqueue(Fault.resetAfterChunks(2));
    Turns.openAiBot(app, fallback("anthropic", "claude-fallback"))
        .compose(bot -> Turns.stream(app, bot, "fallback-late-1", "tell me more").compose(turn -> {
          assertThat(turn.text()).isEqualTo("Echo: tell");
          assertThat(turn.first("error").getString("code")).isEqualTo("provider_stream_broken");
          assertThat(app.anthropic.requestCount()).isZero();
          return Turns.session(app, bot, "fallback-late-1");
        }))
        .map(messages -> {
          assertThat(messages.getJsonObject(1).getString("status")).isEqualTo("incomplete");
          return null;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void when_the_fallback_fails_too_the_bots_own_failure_is_reported(VertxTestContext test) {
    app.openai.enqueue(Fault.status(429, "600"));
    app.anthropic.enqueue(Fault.status(500));
    Turns.openAiBot(app, fallback("anthropic", "claude-fallback"))
        .compose(bot -> Turns.json(app, bot, "fallback-both-1", "hello"))
        .map(turn -> {
          assertThat(turn.status()).isEqualTo(503);
          assertThat(turn.errorCode()).isEqualTo("provider_rate_limited");
          assertThat(turn.response().getHeader("Retry-After")).isEqualTo("600");
          assertThat(app.anthropic.requestCount()).isEqualTo(1);
          return null;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_request_the_provider_rejects_does_not_go_to_the_fallback(VertxTestContext test) {
    app.openai.enqueue(Fault.status(400));
    Turns.openAiBot(app, fallback("anthropic", "claude-fallback"))
        .compose(bot -> Turns.json(app, bot, "fallback-400-1", "hello").compose(turn -> {
          assertThat(turn.status()).isEqualTo(503);
          assertThat(turn.errorCode()).isEqualTo("bot_unavailable");
          assertThat(app.anthropic.requestCount()).isZero();
          return Turns.log(app, bot, "fallback-400-1");
        }))
        .map(log -> {
          assertThat(log.getJsonObject(0).getString("error")).isEqualTo("provider_rejected");
          return null;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void the_provider_reply_names_who_answered(VertxTestContext test) {
    JsonObject bot = new JsonObject().put("id", "bot_bus_fallback").put("provider", "openai").put("model", "gpt-main")
        .put("base_url", Turns.baseUrl(app, "/bus" + UUID.randomUUID().toString().substring(0, 8)))
        .put("fallback", new JsonObject().put("provider", "anthropic").put("model", "claude-backup"));
    JsonObject request = new JsonObject().put("bot", bot)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    ProviderClient provider = new ProviderClient(new Bus(app.vertx), new Timeouts(5_000, 5_000, 5_000, 5_000));
    String requestId = "req-" + UUID.randomUUID();
    provider.complete(requestId, request)
        .compose(direct -> {
          assertThat(direct.getString("provider")).isEqualTo("openai");
          assertThat(direct.getString("model")).isEqualTo("gpt-main");
          assertThat(direct.getBoolean("fallback")).isFalse();
          app.openai.enqueue(Fault.status(500));
          return provider.complete(requestId, request);
        })
        .map(viaFallback -> {
          assertThat(viaFallback.getString("content")).isEqualTo("Echo: hi");
          assertThat(viaFallback.getString("provider")).isEqualTo("anthropic");
          assertThat(viaFallback.getString("model")).isEqualTo("claude-backup");
          assertThat(viaFallback.getBoolean("fallback")).isTrue();
          return null;
        }).onComplete(test.succeedingThenComplete());
  }

  // ---- settings ---------------------------------------------------------------------------------

  @Test
  void the_fallback_setting_is_validated_and_can_be_removed(VertxTestContext test) {
    JsonObject base = new JsonObject().put("name", "Fallback settings").put("provider", "openai");
    Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> unknown =
        app.admin(HttpMethod.POST, "/api/bots").sendJsonObject(base.copy().mergeIn(fallback("nope", "x")));
    Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> same =
        app.admin(HttpMethod.POST, "/api/bots").sendJsonObject(base.copy().mergeIn(fallback("openai", null)));
    Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> extra =
        app.admin(HttpMethod.POST, "/api/bots").sendJsonObject(base.copy()
            .put("fallback", new JsonObject().put("provider", "anthropic").put("api_key", "sk-no")));
    Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> notObject =
        app.admin(HttpMethod.POST, "/api/bots").sendJsonObject(base.copy().put("fallback", "anthropic"));
    Future.all(unknown, same, extra, notObject).compose(all -> {
      assertThat(unknown.result().statusCode()).isEqualTo(422);
      assertThat(unknown.result().bodyAsJsonObject().getJsonObject("error").getString("field"))
          .isEqualTo("fallback.provider");
      assertThat(same.result().statusCode()).isEqualTo(422);
      assertThat(same.result().bodyAsJsonObject().getJsonObject("error").getString("field"))
          .isEqualTo("fallback.model");
      assertThat(extra.result().statusCode()).isEqualTo(422);
      assertThat(extra.result().bodyAsJsonObject().getJsonObject("error").getString("field"))
          .isEqualTo("fallback.api_key");
      assertThat(notObject.result().statusCode()).isEqualTo(422);
      assertThat(notObject.result().bodyAsJsonObject().getJsonObject("error").getString("field"))
          .isEqualTo("fallback");
      return app.createBot(base.copy().mergeIn(fallback("anthropic", null)));
    }).compose(created -> {
      assertThat(created.getJsonObject("fallback"))
          .isEqualTo(new JsonObject().put("provider", "anthropic").put("model", "claude-3-5-haiku-latest"));
      return app.admin(HttpMethod.PUT, "/api/bots/" + created.getString("id"))
          .sendJsonObject(new JsonObject().putNull("fallback"));
    }).map(updated -> {
      assertThat(updated.statusCode()).isEqualTo(200);
      assertThat(updated.bodyAsJsonObject().getValue("fallback")).isNull();
      return null;
    }).onComplete(test.succeedingThenComplete());
  }
}
