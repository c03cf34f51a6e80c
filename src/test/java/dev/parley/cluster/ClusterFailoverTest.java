package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.db.PostgresUrl;
import dev.parley.fake.FakeOpenAi;
import dev.parley.testing.ParleyProcesses;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three Parley processes on 127.0.0.1 form a cluster on PostgreSQL: two HTTP nodes and a worker
 * node with every other role. Visitors chat through both HTTP nodes; one of them is killed with
 * SIGKILL mid-load. The other keeps answering, requests to the dead one fail at once instead of
 * hanging, and every turn a client saw acknowledged is in the database.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 300, timeUnit = TimeUnit.SECONDS)
class ClusterFailoverTest {

  private static final int CLIENTS_PER_NODE = 6;
  private static final long REQUEST_TIMEOUT_MS = 15_000;

  @RegisterExtension
  final ParleyProcesses processes = ParleyProcesses.perTest("cluster-failover-logs");

  @Test
  void a_node_killed_mid_load_leaves_the_survivors_answering_and_loses_no_acknowledged_turn(Vertx vertx,
      VertxTestContext test) throws Exception {
    String url = processes.postgresUrl();
    Path configFile = processes.configFile();
    int hazelcast = ParleyProcesses.hazelcastPort();
    String members = ParleyProcesses.members(hazelcast, 3);
    int portA = TestApp.freePort();
    int portB = TestApp.freePort();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger afterKillOnB = new AtomicInteger();
    AtomicInteger hungRequests = new AtomicInteger();
    AtomicInteger unclearErrors = new AtomicInteger();

    FakeOpenAi.start(vertx).compose(openai -> vertx.executeBlocking(() -> {
      processes.launchClustered("worker", "bot,memory,rag,provider", hazelcast, TestApp.freePort(), members, url,
          configFile, openai.baseUrl());
      Process nodeA = processes.launchClustered("http-a", "http", hazelcast + 1, portA, members, url, configFile,
          openai.baseUrl());
      processes.launchClustered("http-b", "http", hazelcast + 2, portB, members, url, configFile, openai.baseUrl());
      return nodeA;
    })).compose(nodeA -> {
      WebClient a = client(vertx, portA);
      WebClient b = client(vertx, portB);
      return Future.all(ready(vertx, a), ready(vertx, b))
          .compose(v -> a.post("/api/bots").putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN)
              .sendJsonObject(new JsonObject().put("name", "clustered").put("api_key", "sk-failover-0000")))
          .compose(created -> {
            assertThat(created.statusCode()).isEqualTo(201);
            String path = "/api/chat/" + created.bodyAsJsonObject().getString("id");
            long[] killedAt = {Long.MAX_VALUE};
            List<Future<Void>> loops = new ArrayList<>();
            for (int i = 0; i < CLIENTS_PER_NODE; i++) {
              loops.add(load(vertx, a, path, "a-" + i, acknowledged, killedAt, null, hungRequests, unclearErrors, 0));
              loops.add(load(vertx, b, path, "b-" + i, acknowledged, killedAt, afterKillOnB, hungRequests, unclearErrors,
                  4_000));
            }
            long started = System.currentTimeMillis();
            vertx.setPeriodic(50, timer -> {
              if (acknowledged.size() >= 60 || System.currentTimeMillis() - started > 30_000) {
                vertx.cancelTimer(timer);
                killedAt[0] = System.currentTimeMillis();
                nodeA.destroyForcibly();
              }
            });
            return Future.join(loops);
          })
          .compose(v -> vertx.executeBlocking(() -> {
            assertThat(hungRequests.get()).as("requests that hung until the client timeout").isZero();
            assertThat(unclearErrors.get()).as("answers from the survivor that were not clear errors").isZero();
            assertThat(afterKillOnB.get()).as("turns the surviving node answered after the kill").isGreaterThan(10);
            Set<String> stored = new HashSet<>();
            try (var connection = PostgresUrl.parse(url).dataSource().getConnection();
                 var rows = connection.createStatement().executeQuery("SELECT id FROM messages WHERE role = 'assistant'")) {
              while (rows.next()) {
                stored.add(rows.getString(1));
              }
            }
            assertThat(stored).containsAll(acknowledged);
            return null;
          }));
    }).onComplete(test.succeedingThenComplete());
  }

  private static WebClient client(Vertx vertx, int port) {
    return ParleyProcesses.client(vertx, port, CLIENTS_PER_NODE + 2);
  }

  /** Until the node answers the bot API, which needs the worker's handlers to be visible to it. */
  private static Future<Void> ready(Vertx vertx, WebClient client) {
    return ParleyProcesses.answering(vertx, client, 150_000);
  }

  /**
   * One visitor sending turns back to back. On the node that gets killed, it stops at the first
   * failure; on the survivor it goes on for {@code afterKillMs} after the kill.
   */
  private static Future<Void> load(Vertx vertx, WebClient client, String path, String session, Set<String> acknowledged,
      long[] killedAt, AtomicInteger afterKill, AtomicInteger hung, AtomicInteger unclear, long afterKillMs) {
    Promise<Void> done = Promise.promise();
    turn(vertx, client, path, "session-" + session, acknowledged, killedAt, afterKill, hung, unclear, afterKillMs, done);
    return done.future();
  }

  private static void turn(Vertx vertx, WebClient client, String path, String session, Set<String> acknowledged,
      long[] killedAt, AtomicInteger afterKill, AtomicInteger hung, AtomicInteger unclear, long afterKillMs,
      Promise<Void> done) {
    if (killedAt[0] != Long.MAX_VALUE && System.currentTimeMillis() > killedAt[0] + afterKillMs) {
      done.complete();
      return;
    }
    client.post(path).timeout(REQUEST_TIMEOUT_MS)
        .sendJsonObject(new JsonObject().put("message", "still there?").put("session_id", session))
        .onComplete(result -> {
          boolean survivor = afterKill != null;
          if (result.failed() && result.cause() instanceof java.util.concurrent.TimeoutException) {
            hung.incrementAndGet();
          } else if (result.succeeded() && result.result().statusCode() == 200) {
            acknowledged.add(result.result().bodyAsJsonObject().getString("message_id"));
            if (survivor && System.currentTimeMillis() > killedAt[0]) {
              afterKill.incrementAndGet();
            }
          } else if (survivor) {
            // the survivor must answer with a clear JSON error, never drop the connection
            JsonObject error = result.succeeded() ? result.result().bodyAsJsonObject().getJsonObject("error") : null;
            if (error == null || error.getString("code") == null) {
              unclear.incrementAndGet();
            }
          } else {
            // the killed node's visitors see the connection fail at once; they stop there
            done.complete();
            return;
          }
          vertx.setTimer(5, t -> turn(vertx, client, path, session, acknowledged, killedAt, afterKill, hung, unclear,
              afterKillMs, done));
        });
  }
}
