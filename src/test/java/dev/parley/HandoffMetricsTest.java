package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.testing.TestApps;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} counts requests for a person per bot and trigger, the time to the first human reply, and
 * conversations per bot and state.
 */
@ParleyTest(perTest = true, measured = true)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class HandoffMetricsTest {

  @Test
  void handoffs_per_trigger_time_to_first_human_reply_and_conversations_per_bot_and_state_are_in_metrics(TestApps apps) throws Exception {
    // conversations per state are read every 200 ms instead of every 30 s: the test waits for the read after the reply
    TestApp app = Await.result(apps.start(new JsonObject().put("memory", new JsonObject().put("metrics_refresh_ms", 200))));
    String botId = Await.result(app.createBot(new JsonObject().put("name", "measured").put("api_key", "sk-metrics-test-0")
        .put("handoff", new JsonObject().put("enabled", true)).put("rag", new JsonObject().put("enabled", false)))).getString("id");
    String session = "metrics-handoff-01";
    assertThat(Await.result(app.client.post("/api/chat/" + botId + "/session/" + session + "/handoff").send()).statusCode())
        .isEqualTo(202);
    String conversation = Await.result(app.admin(HttpMethod.GET, "/api/inbox?state=waiting").send()).bodyAsJsonObject()
        .getJsonArray("conversations").getJsonObject(0).getString("conversation_id");
    assertThat(Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/conversations/" + conversation + "/messages")
        .sendJsonObject(new JsonObject().put("text", "hello"))).statusCode()).isEqualTo(201);
    String label = "bot=\"" + botId + "\"";
    long until = System.currentTimeMillis() + 45_000;
    String metrics = "";
    while (System.currentTimeMillis() < until) {
      metrics = Await.result(app.admin(HttpMethod.GET, "/metrics").send()).bodyAsString();
      if (metrics.contains("parley_conversations{" + label + ",state=\"human\"} 1.0")) {
        break;
      }
      Thread.sleep(500);
    }
    assertThat(metrics).contains("parley_handoffs_total{" + label + ",trigger=\"visitor\"} 1.0");
    assertThat(metrics).contains("parley_handoff_first_reply_seconds_count{" + label + "} 1");
    assertThat(metrics).contains("parley_conversations{" + label + ",state=\"human\"} 1.0");
    assertThat(metrics).contains("parley_conversations{" + label + ",state=\"waiting\"} 0.0");
  }
}
