package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import dev.parley.common.ProviderAnnouncements;
import dev.parley.fake.FakeModelServer;
import dev.parley.reliability.Turns;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A visitor who leaves a stream after the first delta cannot spend for free: the model call it caused is
 * counted in the bot's usage and budget, on the stored turn and in {@code /metrics}, whether the vendor
 * reported the usage (Anthropic's {@code message_start}), Parley estimated it (OpenAI reports usage only at
 * the end) or a custom provider reported none; and nothing throws on the way.
 */
@ParleyTest(measured = true)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AbandonedStreamSpendTest {

  private static final String LONG_ANSWER = "Parley keeps talking for a good while so that the visitor can leave "
      + "long before the model has finished writing its very long and very detailed answer to the question.";

  private static TestApp app;

  @BeforeEach
  void reset() {
    for (FakeModelServer fake : new FakeModelServer[] {app.openai, app.anthropic}) {
      fake.reset();
      fake.answerWith(LONG_ANSWER);
      fake.chunkDelayMs(40);
    }
  }

  @Test
  void leaving_an_openai_stream_after_the_first_delta_counts_the_estimated_tokens_and_cost(VertxTestContext test) {
    int thrownBefore = LogCanary.thrownCount();
    bot("openai", "gpt-4o-mini").compose(bot -> leave(bot).compose(turn -> charged(bot, turn.stored)))
        .onComplete(test.succeeding(answer -> test.verify(() -> {
          assertThat(app.openai.requests().get(0).getJsonObject("stream_options"))
              .isEqualTo(new JsonObject().put("include_usage", true));
          assertThat(LogCanary.thrownSince(thrownBefore)).isEmpty();
          test.completeNow();
        })));
  }

  @Test
  void leaving_an_anthropic_stream_after_the_first_delta_counts_the_input_tokens_it_reported(VertxTestContext test) {
    int thrownBefore = LogCanary.thrownCount();
    bot("anthropic", "claude-3-5-haiku-latest").compose(bot -> leave(bot).compose(turn -> charged(bot, turn.stored)))
        .onComplete(test.succeeding(answer -> test.verify(() -> {
          // message_start's count, as the vendor reported it
          assertThat(answer.getLong(Fields.INPUT_TOKENS))
              .isEqualTo(FakeModelServer.inputTokens(app.anthropic.requests().get(0)));
          assertThat(LogCanary.thrownSince(thrownBefore)).isEmpty();
          test.completeNow();
        })));
  }

  @Test
  void leaving_a_custom_provider_stream_that_reports_no_usage_counts_an_estimate(VertxTestContext test) {
    int thrownBefore = LogCanary.thrownCount();
    // an extension that streams three deltas and answers without usage, whether or not anyone still listens
    MessageConsumer<JsonObject> extension = app.vertx.eventBus().consumer(Addresses.customProviderStream("homemade"),
        request -> {
          String address = request.body().getString(Fields.STREAM_ADDRESS);
          for (int i = 0; i < 3; i++) {
            int seq = i;
            app.vertx.setTimer(1 + 60L * i, t -> app.vertx.eventBus().send(address,
                new JsonObject().put("type", "delta").put("seq", seq).put("text", "piece " + seq + " ")));
          }
          app.vertx.setTimer(300, t -> request.reply(new JsonObject().put("content", "piece 0 piece 1 piece 2 ")
              .put("deltas", 3)));
        });
    extension.completion()
        .compose(registered -> ProviderAnnouncements.announce(app.vertx, "homemade"))
        .compose(announced -> bot("homemade", "gpt-4o-mini"))
        .compose(bot -> leave(bot).compose(turn -> charged(bot, turn.stored)))
        .eventually(extension::unregister)
        .onComplete(test.succeeding(answer -> test.verify(() -> {
          assertThat(LogCanary.thrownSince(thrownBefore)).isEmpty();
          test.completeNow();
        })));
  }

  // ---------------------------------------------------------------- helpers

  private record Left(String session, JsonObject stored) {
  }

  private static Future<String> bot(String provider, String model) {
    return app.createBot(new JsonObject().put("name", "Leaver " + provider).put("provider", provider)
            .put("model", model).put("api_key", "sk-" + LogCanary.MARK + "-leaver")
            .put("rag", new JsonObject().put("enabled", false)))
        .map(bot -> bot.getString("id"));
  }

  /** A visitor opens a stream and leaves at the first delta; completes with the answer as the operator's log stores it. */
  private static Future<Left> leave(String bot) {
    String session = "leaver-" + UUID.randomUUID();
    return Turns.turnCompleted(app, session)
        .compose(completed -> Turns.leaveAfterFirstDelta(app, bot, session, "please talk for a while")
            .compose(read -> completed))
        .compose(event -> {
          assertThat(event.getString(Fields.STATUS)).isEqualTo("incomplete");
          assertThat(event.getString(Fields.ERROR)).isEqualTo("client_disconnected");
          return Turns.log(app, bot, session);
        })
        .map(log -> {
          assertThat(log).hasSize(2);
          return new Left(session, log.getJsonObject(1));
        });
  }

  /**
   * The stored answer carries tokens and a cost; the bot's budget counts them today; {@code /metrics} has
   * its tokens, cost and latency. Completes with the stored answer.
   */
  private static Future<JsonObject> charged(String bot, JsonObject answer) {
    assertThat(answer.getString(Fields.ROLE)).isEqualTo("assistant");
    assertThat(answer.getString(Fields.STATUS)).isEqualTo("incomplete");
    assertThat(answer.getLong(Fields.INPUT_TOKENS)).isPositive();
    assertThat(answer.getLong(Fields.OUTPUT_TOKENS)).isPositive();
    assertThat(answer.getDouble(Fields.COST)).isPositive();
    return Turns.budget(app, bot).compose(budget -> {
      assertThat(budget.getLong("tokens_today"))
          .isEqualTo(answer.getLong(Fields.INPUT_TOKENS) + answer.getLong(Fields.OUTPUT_TOKENS));
      // the database keeps a cost as a float: equal to a millionth of itself
      assertThat(budget.getDouble("cost_today")).isCloseTo(answer.getDouble(Fields.COST), withinPercentage(0.0001));
      return app.admin(HttpMethod.GET, "/metrics").send();
    }).map(metrics -> {
      String text = metrics.bodyAsString();
      String label = "bot=\"" + bot + "\"";
      assertThat(metric(text, "parley_tokens_total\\{" + label + ",kind=\"input\"\\}"))
          .isEqualTo(answer.getLong(Fields.INPUT_TOKENS).doubleValue());
      assertThat(metric(text, "parley_tokens_total\\{" + label + ",kind=\"output\"\\}"))
          .isEqualTo(answer.getLong(Fields.OUTPUT_TOKENS).doubleValue());
      assertThat(metric(text, "parley_cost_usd_total\\{" + label + "\\}")).isPositive();
      assertThat(metric(text, "parley_turn_latency_seconds_count\\{" + label + "\\}")).isEqualTo(1.0);
      return answer;
    });
  }

  /** The value of the one series matching {@code series} (a regular expression), or -1 when there is none. */
  private static double metric(String scrape, String series) {
    Matcher matcher = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scrape);
    return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
  }
}
