package dev.parley.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.Fault;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provider faults end to end, through {@code POST /api/chat} as JSON and as a stream, against the
 * fake OpenAI server: every turn ends with an answer or a clear error within the configured
 * timeout, the user message is always stored, and a partial streamed answer is stored marked
 * incomplete. Each bot has a base URL, hence a circuit breaker, of its own.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ProviderFaultsTest {

  private static final long IDLE_TIMEOUT_MS = 400;
  private static final long REQUEST_TIMEOUT_MS = 1_500;
  /** What a turn may take beyond the provider's timeout: history, storage, HTTP. */
  private static final long MARGIN_MS = 700;

  @TempDir
  static Path dataDir;

  private static TestApp app;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext test) {
    JsonObject overrides = new JsonObject().put("provider", Turns.faultSettings(500, IDLE_TIMEOUT_MS, REQUEST_TIMEOUT_MS));
    Turns.startWarm(vertx, dataDir, overrides)
        .onComplete(test.succeeding(started -> {
          app = started;
          test.completeNow();
        }));
  }

  @BeforeEach
  void resetFakes() {
    app.openai.reset();
  }

  private static Future<String> bot() {
    return Turns.openAiBot(app, new JsonObject());
  }

  private static void within(long elapsedMs, long limitMs) {
    assertThat(elapsedMs).as("turn time").isLessThan(limitMs + MARGIN_MS);
  }

  /** The user message and the partial answer, marked incomplete with the failure, are stored. */
  private static Future<Void> partialStored(String botId, String session, String message, String partial, String code) {
    return Future.all(Turns.session(app, botId, session), Turns.log(app, botId, session)).map(both -> {
      JsonArray messages = both.resultAt(0);
      assertThat(messages).hasSize(2);
      assertThat(messages.getJsonObject(0).getString("content")).isEqualTo(message);
      JsonObject answer = messages.getJsonObject(1);
      assertThat(answer.getString("role")).isEqualTo("assistant");
      assertThat(answer.getString("status")).isEqualTo("incomplete");
      assertThat(answer.getString("content")).isEqualTo(partial);
      JsonArray log = both.resultAt(1);
      assertThat(log.getJsonObject(1).getString("error")).isEqualTo(code);
      return null;
    });
  }

  /** One complete answer, and nothing else, is stored after the user message. */
  private static Future<Void> answerStored(String botId, String session, String answer) {
    return Turns.session(app, botId, session).map(messages -> {
      assertThat(messages).hasSize(2);
      assertThat(messages.getJsonObject(1).getString("status")).isEqualTo("complete");
      assertThat(messages.getJsonObject(1).getString("content")).isEqualTo(answer);
      return null;
    });
  }

  // ---- timeouts -----------------------------------------------------------------------------

  @Test
  void a_provider_that_never_answers_gives_504_within_the_idle_timeout(VertxTestContext test) {
    app.openai.enqueue(Fault.stall());
    bot().compose(bot -> Turns.json(app, bot, "timeout-json-1", "anyone there?").compose(turn -> {
      assertThat(turn.status()).isEqualTo(504);
      assertThat(turn.errorCode()).isEqualTo("provider_timeout");
      within(turn.elapsedMs(), IDLE_TIMEOUT_MS);
      return Turns.onlyUserStored(app, bot, "timeout-json-1", "anyone there?", "provider_timeout");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_that_stalls_before_any_text_ends_with_a_timeout_error_event(VertxTestContext test) {
    app.openai.enqueue(Fault.stall());
    bot().compose(bot -> Turns.stream(app, bot, "timeout-sse-1", "anyone there?").compose(turn -> {
      assertThat(turn.names()).containsExactly("start", "error");
      assertThat(turn.first("error").getString("code")).isEqualTo("provider_timeout");
      within(turn.elapsedMs(), IDLE_TIMEOUT_MS);
      return Turns.onlyUserStored(app, bot, "timeout-sse-1", "anyone there?", "provider_timeout");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_that_stalls_mid_answer_stores_the_partial_answer_as_incomplete(VertxTestContext test) {
    app.openai.enqueue(Fault.stallAfterChunks(2));
    bot().compose(bot -> Turns.stream(app, bot, "stall-sse-1", "tell me more").compose(turn -> {
      assertThat(turn.text()).isEqualTo("Echo: tell");
      assertThat(turn.last()).isEqualTo("error");
      assertThat(turn.first("error").getString("code")).isEqualTo("provider_timeout");
      within(turn.elapsedMs(), IDLE_TIMEOUT_MS);
      return partialStored(bot, "stall-sse-1", "tell me more", "Echo: tell", "provider_timeout");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_that_keeps_trickling_is_cut_at_the_request_timeout(VertxTestContext test) {
    app.openai.answerWith("one two three four five six seven eight nine ten eleven twelve thirteen fourteen");
    app.openai.chunkDelayMs(250);
    bot().compose(bot -> Turns.stream(app, bot, "trickle-sse-1", "count").compose(turn -> {
      assertThat(turn.last()).isEqualTo("error");
      assertThat(turn.first("error").getString("code")).isEqualTo("provider_timeout");
      assertThat(turn.text()).startsWith("one two").doesNotContain("fourteen");
      within(turn.elapsedMs(), REQUEST_TIMEOUT_MS);
      return partialStored(bot, "trickle-sse-1", "count", turn.text(), "provider_timeout");
    })).onComplete(test.succeedingThenComplete());
  }

  // ---- rate limits ----------------------------------------------------------------------------

  @Test
  void a_429_with_retry_after_is_retried_after_that_delay_and_answers_once(VertxTestContext test) {
    app.openai.enqueue(Fault.status(429, "1"));
    bot().compose(bot -> Turns.json(app, bot, "ratelimit-json-1", "hello").compose(turn -> {
      assertThat(turn.status()).isEqualTo(200);
      assertThat(turn.body().getString("response")).isEqualTo("Echo: hello");
      assertThat(turn.elapsedMs()).isGreaterThanOrEqualTo(1_000);
      within(turn.elapsedMs(), REQUEST_TIMEOUT_MS);
      assertThat(app.openai.requestCount()).isEqualTo(2);
      return answerStored(bot, "ratelimit-json-1", "Echo: hello");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_429_asking_for_longer_than_allowed_fails_at_once_with_retry_after(VertxTestContext test) {
    app.openai.enqueue(Fault.status(429, "600"));
    bot().compose(bot -> Turns.json(app, bot, "ratelimit-json-2", "hello").compose(turn -> {
      assertThat(turn.status()).isEqualTo(503);
      assertThat(turn.errorCode()).isEqualTo("provider_rate_limited");
      assertThat(turn.response().getHeader("Retry-After")).isEqualTo("600");
      assertThat(turn.elapsedMs()).isLessThan(500);
      assertThat(app.openai.requestCount()).isEqualTo(1);
      return Turns.onlyUserStored(app, bot, "ratelimit-json-2", "hello", "provider_rate_limited");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_rate_limited_on_every_attempt_ends_with_a_rate_limit_error_event(VertxTestContext test) {
    for (int i = 0; i < 3; i++) {
      app.openai.enqueue(Fault.status(429));
    }
    bot().compose(bot -> Turns.stream(app, bot, "ratelimit-sse-1", "hello").compose(turn -> {
      assertThat(turn.names()).containsExactly("start", "error");
      assertThat(turn.first("error").getString("code")).isEqualTo("provider_rate_limited");
      assertThat(turn.first("error").getLong("retry_after")).isPositive();
      within(turn.elapsedMs(), REQUEST_TIMEOUT_MS);
      return Turns.onlyUserStored(app, bot, "ratelimit-sse-1", "hello", "provider_rate_limited");
    })).onComplete(test.succeedingThenComplete());
  }

  // ---- server errors ----------------------------------------------------------------------------

  @Test
  void a_500_on_every_attempt_gives_502_after_the_retries(VertxTestContext test) {
    for (int i = 0; i < 3; i++) {
      app.openai.enqueue(Fault.status(500));
    }
    bot().compose(bot -> Turns.json(app, bot, "500-json-1", "hello").compose(turn -> {
      assertThat(turn.status()).isEqualTo(502);
      assertThat(turn.errorCode()).isEqualTo("provider_unavailable");
      assertThat(turn.body().encode()).doesNotContain("server had an error");
      assertThat(app.openai.requestCount()).isEqualTo(3);
      within(turn.elapsedMs(), REQUEST_TIMEOUT_MS);
      return Turns.onlyUserStored(app, bot, "500-json-1", "hello", "provider_unavailable");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_503_on_every_attempt_ends_a_stream_with_an_error_event(VertxTestContext test) {
    for (int i = 0; i < 3; i++) {
      app.openai.enqueue(Fault.status(503));
    }
    bot().compose(bot -> Turns.stream(app, bot, "503-sse-1", "hello").compose(turn -> {
      assertThat(turn.names()).containsExactly("start", "error");
      assertThat(turn.first("error").getString("code")).isEqualTo("provider_unavailable");
      within(turn.elapsedMs(), REQUEST_TIMEOUT_MS);
      return Turns.onlyUserStored(app, bot, "503-sse-1", "hello", "provider_unavailable");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_503_then_a_500_then_an_answer_answers_normally(VertxTestContext test) {
    app.openai.enqueue(Fault.status(503));
    app.openai.enqueue(Fault.status(500));
    bot().compose(bot -> Turns.stream(app, bot, "503-sse-2", "hello").compose(turn -> {
      assertThat(turn.names()).startsWith("start").endsWith("done");
      assertThat(turn.text()).isEqualTo("Echo: hello");
      assertThat(app.openai.requestCount()).isEqualTo(3);
      return answerStored(bot, "503-sse-2", "Echo: hello");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_error_event_before_any_text_is_retried_into_one_clean_answer(VertxTestContext test) {
    app.openai.enqueue(Fault.inBandError());
    bot().compose(bot -> Turns.stream(app, bot, "inband-sse-1", "hello").compose(turn -> {
      assertThat(turn.names()).doesNotContain("error").endsWith("done");
      assertThat(turn.text()).isEqualTo("Echo: hello");
      return answerStored(bot, "inband-sse-1", "Echo: hello");
    })).onComplete(test.succeedingThenComplete());
  }

  // ---- unreadable answers -------------------------------------------------------------------------

  @Test
  void malformed_json_gives_502_provider_protocol_error(VertxTestContext test) {
    app.openai.enqueue(Fault.malformedJson());
    bot().compose(bot -> Turns.json(app, bot, "badjson-json-1", "hello").compose(turn -> {
      assertThat(turn.status()).isEqualTo(502);
      assertThat(turn.errorCode()).isEqualTo("provider_protocol_error");
      assertThat(app.openai.requestCount()).isEqualTo(1);
      return Turns.onlyUserStored(app, bot, "badjson-json-1", "hello", "provider_protocol_error");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_event_with_malformed_json_ends_with_a_protocol_error_event(VertxTestContext test) {
    app.openai.enqueue(Fault.malformedJson());
    bot().compose(bot -> Turns.stream(app, bot, "badjson-sse-1", "hello").compose(turn -> {
      assertThat(turn.names()).containsExactly("start", "error");
      assertThat(turn.first("error").getString("code")).isEqualTo("provider_protocol_error");
      return Turns.onlyUserStored(app, bot, "badjson-sse-1", "hello", "provider_protocol_error");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_event_stream_that_is_not_server_sent_events_ends_with_a_protocol_error_event(VertxTestContext test) {
    app.openai.enqueue(Fault.malformedSse());
    bot().compose(bot -> Turns.stream(app, bot, "badsse-sse-1", "hello").compose(turn -> {
      assertThat(turn.names()).containsExactly("start", "error");
      assertThat(turn.first("error").getString("code")).isEqualTo("provider_protocol_error");
      assertThat(turn.first("error").encode()).doesNotContain("Bad Gateway");
      return Turns.onlyUserStored(app, bot, "badsse-sse-1", "hello", "provider_protocol_error");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_html_page_instead_of_json_gives_502_provider_protocol_error(VertxTestContext test) {
    app.openai.enqueue(Fault.malformedSse());
    bot().compose(bot -> Turns.json(app, bot, "badsse-json-1", "hello").compose(turn -> {
      assertThat(turn.status()).isEqualTo(502);
      assertThat(turn.errorCode()).isEqualTo("provider_protocol_error");
      return Turns.onlyUserStored(app, bot, "badsse-json-1", "hello", "provider_protocol_error");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_that_ends_without_its_terminator_stores_the_answer_as_incomplete(VertxTestContext test) {
    app.openai.enqueue(Fault.truncateAfterChunks(2));
    bot().compose(bot -> Turns.stream(app, bot, "truncated-sse-1", "tell me more").compose(turn -> {
      assertThat(turn.text()).isEqualTo("Echo: tell");
      assertThat(turn.last()).isEqualTo("error");
      assertThat(turn.first("error").getString("code")).isEqualTo("provider_stream_broken");
      assertThat(turn.names()).doesNotContain("done");
      return partialStored(bot, "truncated-sse-1", "tell me more", "Echo: tell", "provider_stream_broken");
    })).onComplete(test.succeedingThenComplete());
  }

  // ---- connection resets ----------------------------------------------------------------------------

  @Test
  void a_connection_reset_mid_stream_stores_the_partial_answer_as_incomplete(VertxTestContext test) {
    app.openai.enqueue(Fault.resetAfterChunks(2));
    bot().compose(bot -> Turns.stream(app, bot, "reset-sse-1", "tell me more").compose(turn -> {
      assertThat(turn.text()).isEqualTo("Echo: tell");
      assertThat(turn.last()).isEqualTo("error");
      assertThat(turn.first("error").getString("code")).isEqualTo("provider_stream_broken");
      // never retried once text went out: no duplicated text
      assertThat(app.openai.requestCount()).isEqualTo(1);
      within(turn.elapsedMs(), REQUEST_TIMEOUT_MS);
      return partialStored(bot, "reset-sse-1", "tell me more", "Echo: tell", "provider_stream_broken");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_connection_reset_before_the_answer_is_retried(VertxTestContext test) {
    app.openai.enqueue(Fault.resetAfterChunks(0));
    bot().compose(bot -> Turns.json(app, bot, "reset-json-1", "hello").compose(turn -> {
      assertThat(turn.status()).isEqualTo(200);
      assertThat(turn.body().getString("response")).isEqualTo("Echo: hello");
      assertThat(app.openai.requestCount()).isEqualTo(2);
      return answerStored(bot, "reset-json-1", "Echo: hello");
    })).onComplete(test.succeedingThenComplete());
  }
}
