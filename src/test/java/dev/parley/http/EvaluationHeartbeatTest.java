package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.Fault;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.Seed;
import dev.parley.testing.TestApp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An evaluation's heartbeat: the node that runs a run says so while it runs, and a memory node marks interrupted only
 * the runs whose heartbeat stopped, while it runs on (in a cluster, another node's live run is not touched). The stale
 * time is one second here (60 by default) and the heartbeat 100 ms.
 */
@ParleyTest
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class EvaluationHeartbeatTest {

  static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject()
        .put("memory", new JsonObject().put("evaluation_stale_s", 1))
        .put("http", new JsonObject().put("evaluations", new JsonObject().put("heartbeat_ms", 100)));
  }

  @Test
  void a_run_whose_heartbeat_stopped_is_marked_interrupted_and_a_beating_one_is_left_running() throws Exception {
    String gone = bot("Node gone");
    String beating = bot("Node beating");
    String goneRun = Seed.runningEvaluation(app, gone, System.currentTimeMillis() - 10_000);
    String beatingRun = Seed.runningEvaluation(app, beating, System.currentTimeMillis() + 60_000);

    Await.blockingUntil(() -> "interrupted".equals(status(gone, goneRun)), 10_000);

    JsonObject interrupted = run(gone, goneRun);
    assertThat(interrupted.getLong("finished_at")).isNotNull();
    assertThat(interrupted.getString("error")).isNotBlank();
    assertThat(status(beating, beatingRun)).isEqualTo("running");
  }

  @Test
  void a_run_whose_questions_outlast_the_stale_time_completes_because_its_node_beats() throws Exception {
    String botId = Await.result(app.createBot(new JsonObject().put("name", "Slow model").put("provider", "openai")
        .put("api_key", "sk-test-heartbeat-0123456789"))).getString("id");
    app.openai.enqueue(Fault.delay(2_500));
    app.openai.enqueue(Fault.delay(2_500));

    var started = Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/evaluations").sendJson(new JsonArray()
        .add(new JsonObject().put("question", "How long is the warranty?"))
        .add(new JsonObject().put("question", "Do you ship abroad?"))));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String evalId = started.bodyAsJsonObject().getString("eval_id");
    Await.blockingUntil(() -> !"running".equals(status(botId, evalId)), 30_000);

    JsonObject run = run(botId, evalId);
    assertThat(run.getString("status")).as(run.encode()).isEqualTo("completed");
    assertThat(run.getInteger("done_count")).isEqualTo(2);
  }

  private static String bot(String name) throws Exception {
    return Await.result(app.createBot(new JsonObject().put("name", name).put("provider", "extractive"))).getString("id");
  }

  private static JsonObject run(String botId, String evalId) throws Exception {
    return Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/evaluations/" + evalId).send())
        .bodyAsJsonObject();
  }

  private static String status(String botId, String evalId) {
    try {
      return run(botId, evalId).getString("status");
    } catch (Exception unreadable) {
      return null;
    }
  }
}
