package dev.parley.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.ProviderAnnouncements;
import dev.parley.fake.Fault;
import dev.parley.fake.FakeModelServer;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Spend on the abnormal paths of a turn is counted like the spend of a normal one: a stream that breaks,
 * stalls or runs out of time after partial output, an error event after the vendor reported usage, an
 * attempt that was retried or whose provider was replaced by the fallback, a compatible server that
 * reports no usage, a JSON answer over the length cap, a custom provider that fails after deltas. Each is
 * stored on the turn (the answer, or the user message when there is none) and reaches the bot's budget.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SpendOnAbnormalPathsTest {

  private static final int MAX_ANSWER_CHARS = 400;

  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    // the fallback calls OpenAI with the server's key
    JsonObject provider = Turns.faultSettings(1_000, 800, 3_000).put("max_answer_chars", MAX_ANSWER_CHARS)
        .put("openai", new JsonObject().put("api_key", "sk-spend-config-key"));
    return new JsonObject().put("provider", provider);
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
    app.anthropic.reset();
  }

  @Test
  void a_stream_broken_after_two_deltas_counts_what_the_model_spent(VertxTestContext test) {
    app.openai.enqueue(Fault.resetAfterChunks(2));
    streamed(openAiBot(), "provider_stream_broken")
        .map(answer -> {
          assertThat(answer.getString(Fields.CONTENT)).isEqualTo("Echo: tell");
          assertCharged(answer);
          return null;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_that_stalls_after_partial_output_is_counted_when_its_idle_timeout_stops_it(VertxTestContext test) {
    app.openai.enqueue(Fault.stallAfterChunks(2));
    streamed(openAiBot(), "provider_timeout").map(answer -> {
      assertCharged(answer);
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_still_writing_at_its_deadline_is_counted(VertxTestContext test) {
    app.openai.enqueue(Fault.endless());
    app.openai.chunkDelayMs(100);
    streamed(openAiBot(), "provider_timeout").map(answer -> {
      assertThat(answer.getString(Fields.CONTENT)).startsWith("more more");
      assertCharged(answer);
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_anthropic_error_event_after_partial_output_counts_the_input_tokens_it_reported(VertxTestContext test) {
    app.anthropic.enqueue(Fault.inBandErrorAfterChunks(2));
    streamed(bot("anthropic", new JsonObject()), "provider_stream_broken").map(answer -> {
      assertCharged(answer);
      assertThat(answer.getLong(Fields.INPUT_TOKENS)).isEqualTo(inputTokens(app.anthropic, 0));
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_retried_attempt_that_reported_usage_counts_as_well_as_the_one_that_answered(VertxTestContext test) {
    // usage reported (message_start), then an overload before any text: retried, and both attempts count
    app.anthropic.enqueue(Fault.inBandErrorAfterChunks(0));
    streamed(bot("anthropic", new JsonObject()), null).map(answer -> {
      assertThat(app.anthropic.requestCount()).isEqualTo(2);
      assertThat(answer.getString(Fields.STATUS)).isEqualTo("complete");
      assertThat(answer.getLong(Fields.INPUT_TOKENS)).isEqualTo(inputTokens(app.anthropic, 0) + inputTokens(app.anthropic, 1));
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_fallback_answer_counts_the_attempts_of_the_failed_primary_too(VertxTestContext test) {
    for (int i = 0; i < 3; i++) {
      app.anthropic.enqueue(Fault.inBandErrorAfterChunks(0));
    }
    JsonObject fallback = new JsonObject().put("fallback", new JsonObject().put("provider", "openai").put("model", "gpt-4o-mini"));
    streamed(bot("anthropic", fallback), null).map(answer -> {
      assertThat(app.anthropic.requestCount()).isEqualTo(3);
      assertThat(answer.getString(Fields.PROVIDER)).isEqualTo("openai");
      assertThat(answer.getLong(Fields.INPUT_TOKENS)).isEqualTo(3L * inputTokens(app.anthropic, 0) + inputTokens(app.openai, 0));
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_server_that_reports_no_usage_is_counted_by_an_estimate_streamed_or_not(VertxTestContext test) {
    app.openai.reportUsage(false);
    openAiBot().compose(bot -> streamed(Future.succeededFuture(bot), null).compose(streamedAnswer -> {
      assertThat(streamedAnswer.getString(Fields.STATUS)).isEqualTo("complete");
      assertCharged(streamedAnswer);
      String session = "no-usage-json-" + UUID.randomUUID();
      return Turns.json(app, bot, session, "tell me more").compose(turn -> {
        assertThat(turn.status()).isEqualTo(200);
        assertThat(turn.body().getJsonObject(Fields.USAGE).getLong(Fields.OUTPUT_TOKENS)).isPositive();
        return Turns.log(app, bot, session);
      });
    })).map(log -> {
      assertCharged(log.getJsonObject(1));
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_json_answer_over_the_length_cap_counts_the_usage_the_vendor_reported(VertxTestContext test) {
    String tooLong = "word ".repeat(MAX_ANSWER_CHARS / 5 + 10);
    app.openai.answerWith(tooLong);
    String session = "too-long-" + UUID.randomUUID();
    openAiBot().compose(bot -> Turns.json(app, bot, session, "talk a lot").compose(turn -> {
      assertThat(turn.errorCode()).isEqualTo("provider_answer_too_long");
      return Turns.log(app, bot, session);
    }).compose(log -> {
      // no answer to hold the spend: the user message does
      assertThat(log).hasSize(1);
      JsonObject user = log.getJsonObject(0);
      assertThat(user.getLong(Fields.INPUT_TOKENS)).isEqualTo(inputTokens(app.openai, 0));
      assertThat(user.getLong(Fields.OUTPUT_TOKENS)).isEqualTo(FakeModelServer.chunks(tooLong).size());
      assertThat(user.getDouble(Fields.COST)).isPositive();
      return Turns.budget(app, bot);
    })).map(budget -> {
      assertThat(budget.getLong("tokens_today")).isEqualTo(inputTokens(app.openai, 0) + FakeModelServer.chunks(tooLong).size());
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_custom_provider_failing_after_deltas_is_counted_by_an_estimate(VertxTestContext test) {
    MessageConsumer<JsonObject> extension = app.vertx.eventBus().consumer(Addresses.customProviderStream("flaky"),
        request -> {
          String address = request.body().getString(Fields.STREAM_ADDRESS);
          app.vertx.eventBus().send(address, new JsonObject().put("type", "delta").put("seq", 0).put("text", "half an "));
          app.vertx.eventBus().send(address, new JsonObject().put("type", "delta").put("seq", 1).put("text", "answer"));
          ParleyException broken = new ParleyException(502, "provider_stream_broken", "The flaky model stopped");
          app.vertx.setTimer(50, t -> request.fail(broken.status(), broken.toJson().encode()));
        });
    extension.completion()
        .compose(registered -> ProviderAnnouncements.announce(app.vertx, "flaky"))
        .compose(announced -> streamed(bot("flaky", new JsonObject().put("model", "gpt-4o-mini")), "provider_stream_broken"))
        .eventually(extension::unregister)
        .map(answer -> {
          assertThat(answer.getString(Fields.CONTENT)).isEqualTo("half an answer");
          assertThat(answer.getLong(Fields.INPUT_TOKENS)).isPositive();
          assertThat(answer.getLong(Fields.OUTPUT_TOKENS)).isEqualTo(4L); // 14 characters, 4 a token, rounded up
          return null;
        }).onComplete(test.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- helpers

  private static Future<String> openAiBot() {
    return Turns.openAiBot(app, new JsonObject().put("model", "gpt-4o-mini"));
  }

  private static Future<String> bot(String provider, JsonObject extra) {
    return app.createBot(new JsonObject().put("name", "Spender").put("provider", provider).put("api_key", "sk-spender-test")
            .put("rag", new JsonObject().put("enabled", false)).mergeIn(extra))
        .map(bot -> bot.getString("id"));
  }

  /**
   * Streams a turn that ends with {@code errorCode} (or {@code done} when null); completes with the stored
   * answer as the operator's log shows it, after checking the bot's budget counts exactly what it holds.
   */
  private static Future<JsonObject> streamed(Future<String> botCreated, String errorCode) {
    String session = "spend-" + UUID.randomUUID();
    return botCreated.compose(bot -> Turns.stream(app, bot, session, "tell me more").compose(streamed -> {
      assertThat(streamed.last()).isEqualTo(errorCode == null ? "done" : "error");
      if (errorCode != null) {
        assertThat(streamed.first("error").getString("code")).isIn(errorCode, "provider_error");
      }
      return Turns.log(app, bot, session);
    }).compose(log -> {
      assertThat(log).hasSize(2);
      JsonObject answer = log.getJsonObject(1);
      return Turns.budget(app, bot).map(budget -> {
        assertThat(budget.getLong("tokens_today"))
            .isEqualTo(answer.getLong(Fields.INPUT_TOKENS) + answer.getLong(Fields.OUTPUT_TOKENS));
        return answer;
      });
    }));
  }

  private static void assertCharged(JsonObject message) {
    assertThat(message.getLong(Fields.INPUT_TOKENS)).isPositive();
    assertThat(message.getLong(Fields.OUTPUT_TOKENS)).isPositive();
    assertThat(message.getDouble(Fields.COST)).isPositive();
  }

  private static long inputTokens(FakeModelServer fake, int request) {
    return FakeModelServer.inputTokens(fake.requests().get(request));
  }
}
