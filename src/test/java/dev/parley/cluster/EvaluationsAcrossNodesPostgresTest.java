package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.AppConfig;
import dev.parley.memory.MemoryVerticle;
import dev.parley.testing.Await;
import dev.parley.testing.OnPostgres;
import dev.parley.testing.ParleyProcesses;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.Seed;
import dev.parley.testing.TestApp;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A memory node that starts in a cluster marks interrupted only the evaluation runs whose heartbeat stopped: a run
 * that another node is running (its heartbeat fresh) goes on. One PostgreSQL database, the app's memory component and
 * a second, clustered one started beside it.
 */
@ParleyTest
@OnPostgres
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class EvaluationsAcrossNodesPostgresTest {

  static TestApp app;

  @Test
  void a_clustered_memory_node_starting_leaves_another_nodes_live_run_running() throws Exception {
    String live = Seed.runningEvaluation(app, bot("Live elsewhere"), System.currentTimeMillis());
    String dead = Seed.runningEvaluation(app, bot("Node died"), System.currentTimeMillis() - 300_000);
    int port = ParleyProcesses.hazelcastPort();
    Vertx node = Await.result(ClusterTest.node(new JsonObject().put("name", "parley-evals-" + port)
        .put("host", "127.0.0.1").put("port", port).put("members", new JsonArray().add("127.0.0.1:" + port))), 60);
    try {
      Await.result(node.deployVerticle(new MemoryVerticle(),
          new DeploymentOptions().setConfig(AppConfig.forComponent(app.config, "memory"))), 60);

      assertThat(status(dead)).isEqualTo("interrupted");
      assertThat(status(live)).as("another node's run, its heartbeat fresh").isEqualTo("running");
    } finally {
      node.close().await(20, TimeUnit.SECONDS);
    }
  }

  private static String bot(String name) {
    return Await.result(app.createBot(new JsonObject().put("name", name).put("provider", "extractive"))).getString("id");
  }

  private static String status(String evalId) throws Exception {
    try (Connection db = app.jdbc(); PreparedStatement select = db.prepareStatement(
        "SELECT status FROM evaluations WHERE id = ?")) {
      select.setString(1, evalId);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getString(1) : null;
      }
    }
  }
}
