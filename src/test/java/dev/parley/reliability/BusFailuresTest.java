package dev.parley.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Event-bus failures as a chat turn meets them (catalogue #95, #96, #97), on a node that runs every
 * role but the provider: no consumer on {@code parley.provider.*} fails at once with 503
 * {@code service_unavailable} rather than after the bus timeout; a consumer that fails with an
 * internal plain-text message keeps its status but never shows the text; and a provider that dies
 * mid-stream (its node killed: deltas, then silence) ends the stream with a retryable error at the
 * bus timeout, with the partial answer stored incomplete.
 */
@ParleyTest
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class BusFailuresTest {

  /** The bus timeout of a model call: a turn that waited for it would take this long. */
  private static final long PROVIDER_BUS_TIMEOUT_MS = 4_000;
  private static final String INTERNAL = "java.lang.IllegalStateException: pool exhausted at db.internal:5432 user=parley";

  private static TestApp app;
  private static String botId;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject()
        .put("roles", new JsonArray().add("bot").add("memory").add("http"))
        .put("timeouts", new JsonObject().put("provider_ms", PROVIDER_BUS_TIMEOUT_MS));
  }

  @BeforeAll
  static void bot(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Lonely").put("api_key", "sk-lonely-key")
            .put("rag", new JsonObject().put("enabled", false)))
        .map(bot -> {
          botId = bot.getString("id");
          return bot;
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void no_provider_on_the_bus_fails_at_once_with_503_service_unavailable(VertxTestContext test) {
    Turns.json(app, botId, "no-handlers-1", "anyone?").compose(turn -> {
      assertThat(turn.status()).isEqualTo(503);
      assertThat(turn.errorCode()).isEqualTo("service_unavailable");
      assertThat(turn.elapsedMs()).as("no wait for the bus timeout").isLessThan(PROVIDER_BUS_TIMEOUT_MS / 4);
      return Turns.stream(app, botId, "no-handlers-2", "anyone?");
    }).compose(turn -> {
      assertThat(turn.names()).containsExactly("start", "error");
      assertThat(turn.first("error").getString("code")).isEqualTo("service_unavailable");
      assertThat(turn.first("error").getBoolean("retryable")).isTrue();
      assertThat(turn.elapsedMs()).isLessThan(PROVIDER_BUS_TIMEOUT_MS / 4);
      return Turns.log(app, botId, "no-handlers-1");
    }).map(log -> {
      assertThat(log).hasSize(1);
      assertThat(log.getJsonObject(0).getString("content")).isEqualTo("anyone?");
      assertThat(log.getJsonObject(0).getString("error")).isEqualTo("service_unavailable");
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_provider_that_dies_mid_stream_ends_it_at_the_bus_timeout_with_the_partial_answer_stored(
      VertxTestContext test) {
    MessageConsumer<JsonObject> dying = app.vertx.eventBus().consumer(Addresses.PROVIDER_STREAM, message -> {
      String address = message.body().getString("stream_address");
      app.vertx.eventBus().send(address, new JsonObject().put("type", "delta").put("seq", 0).put("text", "Half an "));
      app.vertx.eventBus().send(address, new JsonObject().put("type", "delta").put("seq", 1).put("text", "answer"));
      // then nothing: the node running it is gone, and no reply will ever come
    });
    dying.completion()
        .compose(registered -> Turns.stream(app, botId, "dying-session-1", "tell me everything"))
        .compose(turn -> {
          assertThat(turn.names()).containsExactly("start", "delta", "delta", "error");
          assertThat(turn.text()).isEqualTo("Half an answer");
          assertThat(turn.first("error").getString("code")).isEqualTo("timeout");
          assertThat(turn.first("error").getBoolean("retryable")).isTrue();
          assertThat(turn.elapsedMs()).isGreaterThanOrEqualTo(PROVIDER_BUS_TIMEOUT_MS);
          return Turns.log(app, botId, "dying-session-1");
        })
        .map(log -> {
          assertThat(log).hasSize(2);
          assertThat(log.getJsonObject(1).getString("status")).isEqualTo("incomplete");
          assertThat(log.getJsonObject(1).getString("content")).isEqualTo("Half an answer");
          assertThat(log.getJsonObject(1).getString("error")).isEqualTo("timeout");
          return null;
        })
        .eventually(dying::unregister)
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_handler_failing_with_an_internal_message_keeps_its_status_but_not_its_text(VertxTestContext test) {
    MessageConsumer<JsonObject> complete = app.vertx.eventBus().consumer(Addresses.PROVIDER_COMPLETE,
        message -> message.fail(500, INTERNAL));
    MessageConsumer<JsonObject> stream = app.vertx.eventBus().consumer(Addresses.PROVIDER_STREAM,
        message -> message.fail(503, INTERNAL));
    Future.all(complete.completion(), stream.completion())
        .compose(registered -> Turns.json(app, botId, "internal-1", "hello"))
        .compose(turn -> {
          assertThat(turn.status()).isEqualTo(500);
          assertThat(turn.errorCode()).isEqualTo("component_failed");
          assertThat(turn.body().encode()).doesNotContain("IllegalStateException").doesNotContain("5432");
          return Turns.stream(app, botId, "internal-2", "hello");
        })
        .map(turn -> {
          assertThat(turn.first("error").getString("code")).isEqualTo("component_failed");
          assertThat(turn.first("error").encode()).doesNotContain("IllegalStateException").doesNotContain("5432");
          return null;
        })
        .eventually(() -> Future.all(complete.unregister(), stream.unregister()))
        .onComplete(test.succeedingThenComplete());
  }
}
