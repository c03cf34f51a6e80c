package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Health checks and Prometheus metrics, on a Vert.x built with the same metrics options as {@link Main}. */
@ParleyTest(perTest = true, measured = true)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class OpsTest {

  @Test
  void liveness_readiness_and_metrics_report_the_running_platform(TestApps apps, VertxTestContext test) {
    Vertx vertx = apps.vertx;
    apps.start().compose(app -> app.createBot(new JsonObject().put("name", "Measured").put("api_key", "sk-ops-test-00000"))
        .compose(bot -> app.chat(bot.getString("id"), new JsonObject().put("message", "count me").put("session_id", "ops-session"))
            .compose(chat -> {
              assertThat(chat.statusCode()).isEqualTo(200);
              return app.client.get("/health/live").send();
            })
            .compose(live -> {
              assertThat(live.statusCode()).isEqualTo(200);
              assertThat(live.bodyAsJsonObject().getString("status")).isEqualTo("UP");
              return app.client.get("/health/ready").send();
            })
            .compose(ready -> {
              assertThat(ready.statusCode()).isEqualTo(200);
              JsonObject body = ready.bodyAsJsonObject();
              assertThat(body.getString("status")).isEqualTo("UP");
              JsonArray checks = body.getJsonArray("checks");
              assertThat(checks.stream().map(c -> ((JsonObject) c).getString("id")))
                  .contains("database", "bots", "index", "cluster");
              JsonObject database = check(checks, "database");
              assertThat(database.getString("status")).isEqualTo("UP");
              assertThat(database.getJsonObject("data").getLong("database_bytes")).isPositive();
              return vertx.timer(1_500);
            })
            .compose(waited -> Future.all(app.client.get("/metrics").send(), app.admin(HttpMethod.GET, "/metrics").send()))
            .map(both -> {
              io.vertx.ext.web.client.HttpResponse<?> anonymous = both.resultAt(0);
              io.vertx.ext.web.client.HttpResponse<?> admin = both.resultAt(1);
              assertThat(anonymous.statusCode()).isEqualTo(401);
              assertThat(admin.statusCode()).isEqualTo(200);
              String metrics = admin.bodyAsString();
              String label = "bot=\"" + bot.getString("id") + "\"";
              assertThat(metrics).containsPattern("parley_turns_total\\{" + label + ",status=\"complete\"\\} 1\\.0");
              assertThat(metrics).containsPattern("parley_tokens_total\\{" + label + ",kind=\"output\"\\} [1-9]");
              assertThat(metrics).contains("parley_cost_usd_total{" + label + "}");
              assertThat(metrics).contains("parley_turn_latency_seconds_count{" + label + "} 1");
              assertThat(metrics).contains("parley_sessions_active 1.0");
              assertThat(metrics).containsPattern("parley_database_bytes [1-9]");
              assertThat(metrics).contains("vertx_http_server_response_time_seconds");
              assertThat(metrics).containsPattern("vertx_http_server_requests_total\\{code=\"200\",method=\"POST\",route=\"[^\"]*/api/chat/:botId\"");
              return metrics;
            }))).onComplete(test.succeedingThenComplete());
  }

  @Test
  void readiness_fails_when_the_database_owner_is_gone(TestApps apps, VertxTestContext test) {
    Vertx vertx = apps.vertx;
    apps.start().compose(app -> {
      JsonArray memory = vertx.sharedData().<String, JsonArray>getLocalMap("parley.deployments").get("memory");
      return vertx.undeploy(memory.getString(0)).compose(v -> app.client.get("/health/ready").send());
    }).map(ready -> {
      assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(503);
      JsonObject database = check(ready.bodyAsJsonObject().getJsonArray("checks"), "database");
      assertThat(database.getString("status")).isEqualTo("DOWN");
      assertThat(check(ready.bodyAsJsonObject().getJsonArray("checks"), "bots").getString("status")).isEqualTo("UP");
      return ready;
    }).onComplete(test.succeedingThenComplete());
  }

  private static JsonObject check(JsonArray checks, String id) {
    return checks.stream().map(JsonObject.class::cast).filter(c -> id.equals(c.getString("id"))).findFirst().orElseThrow();
  }
}
