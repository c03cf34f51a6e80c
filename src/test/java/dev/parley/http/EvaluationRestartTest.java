package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.Seed;
import dev.parley.testing.TestApp;
import dev.parley.testing.TestApps;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An evaluation survives nothing: one left running by a process that stopped is {@code interrupted} after a restart. */
@ParleyTest(perTest = true)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class EvaluationRestartTest {

  @Test
  void a_run_left_running_by_a_stopped_process_is_interrupted_after_the_restart(TestApps apps) throws Exception {
    TestApp first = Await.result(apps.start());
    String botId = Await.result(first.createBot(new JsonObject().put("name", "Restarted").put("provider", "extractive")))
        .getString("id");
    // as the process left it, from before heartbeats were stored: running, one of three questions done
    String evalId = Seed.runningEvaluation(first, botId, null);
    Await.result(first.stop());

    TestApp second = Await.result(apps.start());
    JsonObject run = Await.result(second.admin(HttpMethod.GET, "/api/bots/" + botId + "/evaluations/" + evalId).send())
        .bodyAsJsonObject();
    assertThat(run.getString("status")).isEqualTo("interrupted");
    assertThat(run.getLong("finished_at")).isNotNull();
    assertThat(run.getInteger("done_count")).isEqualTo(1);
    assertThat(run.getString("error")).isNotBlank();
    // and the bot may run again: no run is left holding its one place
    var started = Await.result(second.admin(HttpMethod.POST, "/api/bots/" + botId + "/evaluations")
        .sendJson(new io.vertx.core.json.JsonArray().add(new JsonObject().put("question", "Hello?"))));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
  }
}
