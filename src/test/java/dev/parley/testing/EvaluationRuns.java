package dev.parley.testing;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

/** Evaluation runs of a test app, through the admin API. */
public final class EvaluationRuns {

  private EvaluationRuns() {
  }

  /** The run once it is no longer running (polled every 100 ms from the test's thread), or as it is after 2 minutes. */
  public static JsonObject finished(TestApp app, String botId, String evalId) {
    long until = System.currentTimeMillis() + 120_000;
    while (true) {
      JsonObject run = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/evaluations/" + evalId).send())
          .bodyAsJsonObject();
      if (!"running".equals(run.getString("status")) || System.currentTimeMillis() > until) {
        return run;
      }
      Await.result(app.vertx.timer(100));
    }
  }
}
