package dev.parley.provider;

import static dev.parley.provider.ProviderTestSupport.API_KEY;
import static dev.parley.provider.ProviderTestSupport.BOT_ID;
import static dev.parley.provider.ProviderTestSupport.SYSTEM;
import static dev.parley.provider.ProviderTestSupport.client;
import static dev.parley.provider.ProviderTestSupport.failure;
import static dev.parley.provider.ProviderTestSupport.request;
import static dev.parley.provider.ProviderTestSupport.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.parley.common.Addresses;
import dev.parley.common.Heartbeats;
import dev.parley.common.SecretBox;
import dev.parley.fake.Fault;
import dev.parley.fake.FakeModelServer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What every HTTP vendor provider must do, run against the real {@link ProviderVerticle} and a
 * fake server speaking that vendor's wire format. One subclass per vendor.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
abstract class ProviderContractTest {

  @TempDir
  Path dataDir;

  FakeModelServer fake;
  String keyEnc;
  String deploymentId;
  private ListAppender<ILoggingEvent> logs;

  /** Starts the vendor's fake. */
  abstract Future<? extends FakeModelServer> startFake(Vertx vertx);

  abstract String provider();

  /** A model listed in conf/prices.json, with its prices. */
  abstract String model();

  abstract double inputPrice();

  abstract double outputPrice();

  /** The API key as the fake received it, from the vendor's auth header. */
  abstract String receivedKey(MultiMap headers);

  /** Checks the upstream request is in the vendor's format, with the system prompt and the history. */
  abstract void assertVendorFormat(JsonObject upstream, MultiMap headers, boolean stream);

  /** The status the vendor uses for "overloaded". */
  abstract int overloadStatus();

  /** The config with this vendor's default base URL set to {@code baseUrl}. */
  abstract JsonObject config(String baseUrl);

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    startFake(vertx)
        .compose(started -> {
          fake = started;
          return SecretBox.load(vertx, config(fake.baseUrl()));
        })
        .compose(box -> {
          keyEnc = box.encrypt(API_KEY, BOT_ID);
          return deploy(vertx, config(fake.baseUrl()));
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void no_log_line_holds_the_key() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    for (ILoggingEvent event : logs.list) {
      assertThat(event.getFormattedMessage()).doesNotContain(API_KEY);
      if (event.getThrowableProxy() != null) {
        assertThat(event.getThrowableProxy().getMessage()).doesNotContain(API_KEY);
      }
    }
  }

  Future<String> deploy(Vertx vertx, JsonObject config) {
    Future<Void> undeployed = deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    return undeployed
        .compose(v -> vertx.deployVerticle(new ProviderVerticle(), new DeploymentOptions().setConfig(config)))
        .onSuccess(id -> deploymentId = id);
  }

  JsonObject bot() {
    return new JsonObject().put("id", BOT_ID).put("provider", provider()).put("model", model())
        .put("api_key_enc", keyEnc);
  }

  JsonObject request() {
    return ProviderTestSupport.request(bot());
  }

  static void assertKeyAbsent(Object anything) {
    assertThat(String.valueOf(anything)).doesNotContain(API_KEY);
  }

  void expectFailure(VertxTestContext ctx, Future<JsonObject> call, int status, String code,
      Consumer<dev.parley.common.ParleyException> more) {
    failure(call).onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
      assertThat(failure.code()).isEqualTo(code);
      assertThat(failure.status()).isEqualTo(status);
      assertKeyAbsent(failure.getMessage());
      assertKeyAbsent(failure.toJson());
      more.accept(failure);
      ctx.completeNow();
    })));
  }

  // ---- answers ----------------------------------------------------------------------------

  @Test
  void complete_returns_the_answer_with_usage_and_cost(Vertx vertx, VertxTestContext ctx) {
    client(vertx).complete(request()).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertThat(reply.getString("content")).isEqualTo("Echo: What is Parley?");
      // fake usage: words of the system prompt and messages (5 + 2 + 1 + 3), words of the answer
      assertThat(reply.getJsonObject("usage")).isEqualTo(new JsonObject().put("input_tokens", 11).put("output_tokens", 4));
      assertThat(reply.getDouble("cost")).isCloseTo((11 * inputPrice() + 4 * outputPrice()) / 1_000_000, within(1e-12));
      assertThat(reply.getString("provider")).isEqualTo(provider());
      assertThat(reply.getString("model")).isEqualTo(model());
      assertThat(reply.getString("finish_reason")).isEqualTo("stop");
      assertThat(reply.getLong("latency_ms")).isNotNegative();
      assertThat(reply.containsKey("deltas")).isFalse();
      assertKeyAbsent(reply);
      ctx.completeNow();
    })));
  }

  @Test
  void a_slow_call_from_another_node_is_kept_alive_by_heartbeats_until_it_is_answered(Vertx vertx,
      VertxTestContext ctx) {
    // the caller counts the call lost after three missed 200 ms heartbeats; the model takes 1.5 s
    fake.enqueue(Fault.delay(1_500));
    deploy(vertx, config(fake.baseUrl()).put("idle_timeout_ms", 5_000))
        .compose(redeployed -> Heartbeats.request(vertx, Addresses.PROVIDER_COMPLETE, request(),
            new DeliveryOptions().setSendTimeout(10_000), 200))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertThat(reply.body().getString("content")).isEqualTo("Echo: What is Parley?");
          ctx.completeNow();
        })));
  }

  @Test
  void stream_sends_deltas_in_order_that_add_up_to_the_answer(Vertx vertx, VertxTestContext ctx) {
    String answer = "Parley streams every word as soon as the model writes it.";
    fake.answerWith(answer);
    fake.chunkDelayMs(2);
    stream(vertx, request()).onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
      assertThat(streamed.failure()).isNull();
      assertThat(streamed.deltas()).hasSize(answer.split(" ").length);
      for (int i = 0; i < streamed.deltas().size(); i++) {
        assertThat(streamed.deltas().get(i).getString("type")).isEqualTo("delta");
        assertThat(streamed.deltas().get(i).getInteger("seq")).isEqualTo(i);
      }
      assertThat(streamed.text()).isEqualTo(answer);
      JsonObject reply = streamed.reply();
      assertThat(reply.getString("content")).isEqualTo(answer);
      assertThat(reply.getInteger("deltas")).isEqualTo(streamed.deltas().size());
      assertThat(reply.getJsonObject("usage").getLong("output_tokens")).isEqualTo(answer.split(" ").length);
      assertThat(reply.getJsonObject("usage").getLong("input_tokens")).isEqualTo(11);
      assertThat(reply.getDouble("cost")).isPositive();
      assertThat(reply.getString("finish_reason")).isEqualTo("stop");
      assertKeyAbsent(reply);
      assertKeyAbsent(streamed.deltas());
      ctx.completeNow();
    })));
  }

  @Test
  void upstream_gets_the_system_prompt_and_history_in_the_vendor_format(Vertx vertx, VertxTestContext ctx) {
    client(vertx).complete(request())
        .compose(r -> stream(vertx, request()))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(fake.requests()).hasSize(2);
          assertVendorFormat(fake.requests().get(0), fake.requestHeaders().get(0), false);
          assertVendorFormat(fake.requests().get(1), fake.requestHeaders().get(1), true);
          ctx.completeNow();
        })));
  }

  @Test
  void the_decrypted_key_reaches_the_vendor_header_and_nothing_else(Vertx vertx, VertxTestContext ctx) {
    client(vertx).complete(request()).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertThat(receivedKey(fake.requestHeaders().get(0))).isEqualTo(API_KEY);
      assertThat(fake.requests().get(0).encode()).doesNotContain(API_KEY);
      assertKeyAbsent(reply);
      ctx.completeNow();
    })));
  }

  @Test
  void the_configured_key_serves_bots_without_one(Vertx vertx, VertxTestContext ctx) {
    JsonObject config = config(fake.baseUrl());
    config.getJsonObject(provider()).put("api_key", "sk-from-environment");
    deploy(vertx, config)
        .compose(id -> client(vertx).complete(ProviderTestSupport.request(bot().copy().putNull("api_key_enc"))))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertThat(receivedKey(fake.requestHeaders().get(0))).isEqualTo("sk-from-environment");
          ctx.completeNow();
        })));
  }

  @Test
  void no_key_anywhere_fails_provider_not_configured(Vertx vertx, VertxTestContext ctx) {
    JsonObject bot = bot().copy();
    bot.remove("api_key_enc");
    expectFailure(ctx, client(vertx).complete(ProviderTestSupport.request(bot)), 503, "provider_not_configured",
        f -> assertThat(fake.requestCount()).isZero());
  }

  @Test
  void the_bots_base_url_wins_over_the_configured_one(Vertx vertx, VertxTestContext ctx) {
    FakeModelServer configured = fake;
    startFake(vertx)
        .compose(perBot -> client(vertx).complete(ProviderTestSupport.request(bot().put("base_url", perBot.baseUrl())))
            .map(reply -> perBot))
        .onComplete(ctx.succeeding(perBot -> ctx.verify(() -> {
          assertThat(perBot.requestCount()).isEqualTo(1);
          assertThat(configured.requestCount()).isZero();
          ctx.completeNow();
        })));
  }

  // ---- retries ----------------------------------------------------------------------------

  @Test
  void rate_limit_is_retried_after_the_retry_after_delay(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.status(429, "1"));
    long start = System.nanoTime();
    client(vertx).complete(request()).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(1000);
      assertThat(fake.requestCount()).isEqualTo(2);
      assertThat(reply.getString("content")).isEqualTo("Echo: What is Parley?");
      ctx.completeNow();
    })));
  }

  @Test
  void rate_limit_with_a_retry_after_beyond_the_limit_fails_at_once(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.status(429, "30"));
    long start = System.nanoTime();
    expectFailure(ctx, client(vertx).complete(request()), 503, "provider_rate_limited", f -> {
      assertThat(f.retryAfterSeconds()).isEqualTo(30);
      assertThat(fake.requestCount()).isEqualTo(1);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2500);
    });
  }

  @Test
  void rate_limit_still_there_after_the_retries_fails_provider_rate_limited(Vertx vertx, VertxTestContext ctx) {
    for (int i = 0; i < 3; i++) {
      fake.enqueue(Fault.status(429));
    }
    expectFailure(ctx, client(vertx).complete(request()), 503, "provider_rate_limited", f -> {
      assertThat(f.retryAfterSeconds()).isPositive();
      assertThat(fake.requestCount()).isEqualTo(3);
    });
  }

  @Test
  void exhausted_quota_is_not_retried(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.insufficientQuota());
    expectFailure(ctx, client(vertx).complete(request()), 503, "provider_quota_exhausted",
        f -> assertThat(fake.requestCount()).isEqualTo(1));
  }

  @Test
  void server_errors_and_overload_are_retried_then_succeed(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.status(500));
    fake.enqueue(Fault.status(overloadStatus()));
    client(vertx).complete(request()).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertThat(fake.requestCount()).isEqualTo(3);
      assertThat(reply.getString("content")).isEqualTo("Echo: What is Parley?");
      ctx.completeNow();
    })));
  }

  @Test
  void server_errors_after_every_retry_fail_provider_unavailable(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.status(503));
    fake.enqueue(Fault.status(500));
    fake.enqueue(Fault.status(overloadStatus()));
    fake.enqueue(Fault.status(500));
    expectFailure(ctx, client(vertx).complete(request()), 502, "provider_unavailable",
        f -> assertThat(fake.requestCount()).isEqualTo(3));
  }

  @Test
  void client_errors_are_not_retried(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.status(400));
    expectFailure(ctx, client(vertx).complete(request()), 502, "provider_rejected",
        f -> assertThat(fake.requestCount()).isEqualTo(1));
  }

  @Test
  void a_refused_key_fails_provider_auth_failed_without_relaying_the_body(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.keyEcho());
    expectFailure(ctx, client(vertx).complete(request()), 502, "provider_auth_failed", f -> {
      assertThat(fake.requestCount()).isEqualTo(1);
      assertThat(f.getMessage()).doesNotContain("Incorrect API key");
    });
  }

  @Test
  void a_refused_key_while_streaming_is_not_relayed_either(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.keyEcho());
    stream(vertx, request()).onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
      assertThat(streamed.failure().code()).isEqualTo("provider_auth_failed");
      assertKeyAbsent(streamed.failure().toJson());
      assertThat(streamed.deltas()).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  void a_refused_connection_is_retried_then_fails_provider_unavailable(Vertx vertx, VertxTestContext ctx) {
    // a port that was just free: nothing listens there
    vertx.createNetServer().connectHandler(socket -> socket.close()).listen(0, "127.0.0.1")
        .compose(server -> server.close().map(v -> server.actualPort()))
        .onComplete(ctx.succeeding(port -> {
          long start = System.nanoTime();
          expectFailure(ctx, client(vertx).complete(ProviderTestSupport.request(
                  bot().put("base_url", "http://127.0.0.1:" + port + "/v1"))), 502, "provider_unavailable",
              // two retries, each after at least half its backoff step (20 ms, then 40 ms)
              f -> assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(30));
        }));
  }

  @Test
  void a_connection_closed_before_the_answer_is_retried(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.resetAfterChunks(0));
    fake.enqueue(Fault.resetAfterChunks(0));
    client(vertx).complete(request()).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertThat(fake.requestCount()).isEqualTo(3);
      ctx.completeNow();
    })));
  }

  // ---- timeouts and broken answers -------------------------------------------------------

  @Test
  void a_stalled_answer_fails_provider_timeout_after_the_idle_timeout(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.stall());
    long start = System.nanoTime();
    expectFailure(ctx, client(vertx).complete(request()), 504, "provider_timeout", f -> {
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // the idle timeout (500 ms), well before the request timeout (5 s)
      assertThat(elapsed).isBetween(450L, 3000L);
      assertThat(fake.requestCount()).isEqualTo(1);
    });
  }

  @Test
  void a_stream_that_stalls_after_its_first_event_fails_provider_timeout(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.stall());
    long start = System.nanoTime();
    stream(vertx, request()).onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
      assertThat(streamed.failure().code()).isEqualTo("provider_timeout");
      assertThat(streamed.failure().status()).isEqualTo(504);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(450L, 3000L);
      ctx.completeNow();
    })));
  }

  @Test
  void a_stream_reset_after_deltas_fails_provider_stream_broken_after_delivering_them(Vertx vertx, VertxTestContext ctx) {
    fake.answerWith("one two three four five");
    fake.enqueue(Fault.resetAfterChunks(2));
    stream(vertx, request()).onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
      assertThat(streamed.failure().code()).isEqualTo("provider_stream_broken");
      assertThat(streamed.failure().status()).isEqualTo(502);
      assertThat(streamed.text()).isEqualTo("one two");
      assertThat(streamed.deltas()).extracting(d -> d.getInteger("seq")).containsExactly(0, 1);
      assertThat(fake.requestCount()).isEqualTo(1);
      ctx.completeNow();
    })));
  }

  @Test
  void a_stream_reset_before_any_delta_is_retried(Vertx vertx, VertxTestContext ctx) {
    fake.answerWith("fresh start");
    fake.enqueue(Fault.resetAfterChunks(0));
    stream(vertx, request()).onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
      assertThat(streamed.failure()).isNull();
      assertThat(streamed.text()).isEqualTo("fresh start");
      assertThat(fake.requestCount()).isEqualTo(2);
      ctx.completeNow();
    })));
  }

  @Test
  void malformed_json_fails_provider_protocol_error(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.malformedJson());
    expectFailure(ctx, client(vertx).complete(request()), 502, "provider_protocol_error",
        f -> assertThat(fake.requestCount()).isEqualTo(1));
  }

  @Test
  void a_malformed_stream_event_fails_provider_protocol_error(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.malformedJson());
    stream(vertx, request()).onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
      assertThat(streamed.failure().code()).isEqualTo("provider_protocol_error");
      assertThat(fake.requestCount()).isEqualTo(1);
      ctx.completeNow();
    })));
  }

  @Test
  void an_in_band_error_before_any_delta_is_retried(Vertx vertx, VertxTestContext ctx) {
    fake.answerWith("second time lucky");
    fake.enqueue(Fault.inBandError());
    stream(vertx, request()).onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
      assertThat(streamed.failure()).isNull();
      assertThat(streamed.text()).isEqualTo("second time lucky");
      assertThat(streamed.deltas()).extracting(d -> d.getInteger("seq")).containsExactly(0, 1, 2);
      assertThat(fake.requestCount()).isEqualTo(2);
      ctx.completeNow();
    })));
  }

  @Test
  void in_band_errors_on_every_attempt_fail_provider_unavailable(Vertx vertx, VertxTestContext ctx) {
    for (int i = 0; i < 3; i++) {
      fake.enqueue(Fault.inBandError());
    }
    stream(vertx, request()).onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
      assertThat(streamed.failure().code()).isEqualTo("provider_unavailable");
      assertThat(fake.requestCount()).isEqualTo(3);
      ctx.completeNow();
    })));
  }

  @Test
  void a_slow_answer_within_the_timeouts_succeeds(Vertx vertx, VertxTestContext ctx) {
    fake.enqueue(Fault.delay(300));
    deploy(vertx, config(fake.baseUrl()).put("idle_timeout_ms", 3000))
        .compose(id -> client(vertx).complete(request())).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertThat(reply.getString("content")).isEqualTo("Echo: What is Parley?");
      assertThat(fake.requestCount()).isEqualTo(1);
      ctx.completeNow();
    })));
  }

  // ---- helpers for subclasses -------------------------------------------------------------

  static List<JsonObject> objects(JsonArray array) {
    return array.stream().map(JsonObject.class::cast).toList();
  }

  static JsonObject message(String role, String content) {
    return new JsonObject().put("role", role).put("content", content);
  }

  static String systemPrompt() {
    return SYSTEM;
  }
}
