package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.fake.Fault;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.Seed;
import dev.parley.testing.TestApp;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code http.evaluations.heartbeat_ms} and {@code memory.evaluation_stale_s} of 0 (or less) stand for their defaults
 * (15 s and 60 s): read as given, a heartbeat and a sweep ran every millisecond, and the sweep marked every running
 * run interrupted at once.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class EvaluationHeartbeatSettingsTest {

  static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject()
        .put("memory", new JsonObject().put("evaluation_stale_s", 0))
        .put("http", new JsonObject().put("evaluations", new JsonObject().put("heartbeat_ms", 0)));
  }

  @Test
  void a_heartbeat_of_0_ms_beats_at_the_default_interval_not_every_millisecond() throws Exception {
    AtomicInteger beats = new AtomicInteger();
    Handler<DeliveryContext<Object>> counting = delivery -> {
      if (delivery.message().address().startsWith(Addresses.MEMORY_EVALUATION_HEARTBEAT)) {
        beats.incrementAndGet();
      }
      delivery.next();
    };
    app.vertx.eventBus().addOutboundInterceptor(counting);
    try {
      String botId = Await.result(app.createBot(new JsonObject().put("name", "Slow model").put("provider", "openai")
          .put("api_key", "sk-test-heartbeat-0123456789"))).getString("id");
      app.openai.enqueue(Fault.delay(1_000));

      var started = Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/evaluations")
          .sendJson(new JsonArray().add(new JsonObject().put("question", "How long is the warranty?"))));
      assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
      String evalId = started.bodyAsJsonObject().getString("eval_id");
      Thread.sleep(900); // while its question waits for the model

      assertThat(beats.get()).as("heartbeats while the question waited").isZero();
      Await.blockingUntil(() -> !"running".equals(status(botId, evalId)), 20_000);
      assertThat(status(botId, evalId)).isEqualTo("completed");
    } finally {
      app.vertx.eventBus().removeOutboundInterceptor(counting);
    }
  }

  @Test
  void a_stale_time_of_0_leaves_a_run_with_a_fresh_heartbeat_running() throws Exception {
    String botId = Await.result(app.createBot(new JsonObject().put("name", "Beating").put("provider", "extractive")))
        .getString("id");
    String evalId = Seed.runningEvaluation(app, botId, System.currentTimeMillis());

    Thread.sleep(1_000);

    assertThat(status(botId, evalId)).isEqualTo("running");
  }

  private static String status(String botId, String evalId) {
    try {
      return Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/evaluations/" + evalId).send())
          .bodyAsJsonObject().getString("status");
    } catch (Exception unreadable) {
      return null;
    }
  }
}
