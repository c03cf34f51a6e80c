package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeOpenAi;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyProcesses;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Catalogue #99: every node of a cluster is restarted in turn (SIGTERM, wait for the process to end, start it
 * again) while visitors chat steadily. Three processes on PostgreSQL: {@code a} serves HTTP only, {@code b}
 * serves HTTP and every other role, {@code c} every role but HTTP; so turns cross the cluster and also stay on
 * one node. A stopping node withdraws its addresses, answers what it has, then leaves: no turn fails, each
 * process exits by itself, every acknowledged turn is stored, and no message is stored twice. Last, the worker
 * is stopped once more while it still starts (an extension holds its start while its services already answer
 * turns): it stops in the same order.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 420, timeUnit = TimeUnit.SECONDS)
class RollingRestartTest {

  private static final int VISITORS = 6;
  private static final long TURN_TIMEOUT_MS = 30_000;
  private static final long START_TIMEOUT_MS = 150_000;

  @RegisterExtension
  final ParleyProcesses processes = ParleyProcesses.perTest("rolling-restart-logs");

  /** A node of the cluster: its name, roles, ports and the process now running it. */
  private static final class Node {
    final String name;
    final String roles;
    final int clusterPort;
    final int httpPort;
    Process process;
    int restarts;

    Node(String name, String roles, int clusterPort, int httpPort) {
      this.name = name;
      this.roles = roles;
      this.clusterPort = clusterPort;
      this.httpPort = httpPort;
    }

    boolean http() {
      return roles.contains("http");
    }

    String logName() {
      return name + "-" + restarts;
    }
  }

  @Test
  void restarting_every_node_in_turn_under_load_fails_no_turn_and_loses_none(Vertx vertx, VertxTestContext test)
      throws Exception {
    String url = processes.postgresUrl();
    Path configFile = processes.configFile(config -> config.put("extensions", new JsonArray()
            .add(new JsonObject().put("verticle", SlowStart.class.getName())))
        .getJsonObject("http").put("shutdown_delay_ms", 1_500));
    int hazelcast = ParleyProcesses.hazelcastPort();
    String members = ParleyProcesses.members(hazelcast, 3);
    List<Node> nodes = List.of(
        new Node("a", "http", hazelcast, TestApp.freePort()),
        new Node("b", "http,bot,memory,rag,provider", hazelcast + 1, TestApp.freePort()),
        new Node("c", "bot,memory,rag,provider", hazelcast + 2, TestApp.freePort()));
    Map<String, WebClient> clients = new LinkedHashMap<>();
    nodes.stream().filter(Node::http).forEach(node -> clients.put(node.name, client(vertx, node.httpPort)));
    List<String> exits = new ArrayList<>();
    List<String> timeline = new CopyOnWriteArrayList<>();

    FakeOpenAi.start(vertx).compose(openai -> vertx.executeBlocking(() -> {
      for (Node node : nodes) {
        node.process = processes.launchClustered(node.logName(), node.roles, node.clusterPort, node.httpPort, members,
            url, configFile, openai.baseUrl());
      }
      return openai.baseUrl();
    })).compose(openai -> Future.all(clients.values().stream()
            .map(client -> ParleyProcesses.answering(vertx, client, START_TIMEOUT_MS)).toList())
        // a rolling restart begins on a running cluster: a worker stopped while it still starts is a crash
        .compose(v -> Future.all(nodes.stream()
            .map(node -> processes.logged(vertx, node.logName(), "Parley is running", START_TIMEOUT_MS)).toList()))
        .compose(v -> clients.get("a").post("/api/bots").putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN)
            .sendJsonObject(new JsonObject().put("name", "rolling").put("api_key", "sk-rolling-0000")))
        .compose(created -> {
          assertThat(created.statusCode()).isEqualTo(201);
          SteadyLoad load = new SteadyLoad(vertx, clients, "/api/chat/" + created.bodyAsJsonObject().getString("id"),
              TURN_TIMEOUT_MS).start(VISITORS);
          Future<Void> restarts = Future.succeededFuture();
          for (Node node : List.of(nodes.get(2), nodes.get(0), nodes.get(1))) {
            restarts = restarts.compose(v -> answeredMeanwhile(vertx, load, 20))
                .compose(v -> restart(vertx, node, members, url, configFile, openai, exits, clients, timeline));
          }
          return restarts.compose(v -> answeredMeanwhile(vertx, load, 20))
              .compose(v -> stopWhileStarting(vertx, nodes.get(2), members, url, configFile, openai, exits, load,
                  timeline))
              .eventually(load::stop).map(load);
        })
        .compose(load -> vertx.executeBlocking(() -> {
          assertThat(exits).as("how each stopped process ended").containsOnly("exited by itself");
          assertThat(load.failures()).as("turns that failed during the rolling restart (restarts, epoch ms: %s)",
              timeline).isEmpty();
          SteadyLoad.Stored stored = SteadyLoad.Stored.in(url);
          assertThat(stored.answerIds()).containsAll(load.acknowledged().values());
          assertThat(stored.duplicates()).as("messages stored more than once").isEmpty();
          assertThat(load.acknowledged()).hasSizeGreaterThan(60);
          return null;
        })))
        .onComplete(test.succeedingThenComplete());
  }

  /** Until {@code count} more turns were answered from now on (the cluster serves between restarts). */
  private static Future<Void> answeredMeanwhile(Vertx vertx, SteadyLoad load, int count) {
    long since = System.currentTimeMillis();
    return Await.until(vertx, () -> load.acknowledgedSince(since) >= count, 60_000);
  }

  /**
   * SIGTERM, until the process ends (it must end within its drain time, by itself), then the node again under
   * the same name, until it serves: an HTTP node answers the bot API, a worker logs that it runs.
   */
  private Future<Void> restart(Vertx vertx, Node node, String members, String url, Path configFile, String openai,
      List<String> exits, Map<String, WebClient> clients, List<String> timeline) {
    return vertx.executeBlocking(() -> {
      stop(node, "SIGTERM", exits, timeline);
      node.restarts++;
      node.process = processes.launchClustered(node.logName(), node.roles, node.clusterPort, node.httpPort, members,
          url, configFile, openai);
      return null;
    }).compose(v -> node.http()
        ? ParleyProcesses.answering(vertx, clients.get(node.name), START_TIMEOUT_MS)
        : processes.logged(vertx, node.logName(), "Parley is running", START_TIMEOUT_MS))
        .onSuccess(v -> timeline.add(node.name + " serving " + System.currentTimeMillis()));
  }

  /**
   * The worker once more, with an extension that holds its start ({@link SlowStart}): while its services already
   * answer turns, SIGTERM; it stops in order all the same (withdraws, answers what it has, leaves).
   */
  private Future<Void> stopWhileStarting(Vertx vertx, Node node, String members, String url, Path configFile,
      String openai, List<String> exits, SteadyLoad load, List<String> timeline) {
    return vertx.executeBlocking(() -> {
      stop(node, "SIGTERM", exits, timeline);
      node.restarts++;
      node.process = processes.launchClustered(node.logName(), node.roles + ",extensions", node.clusterPort,
          node.httpPort, members, url, configFile, openai);
      return null;
    }).compose(v -> processes.logged(vertx, node.logName(), SlowStart.HOLDING, START_TIMEOUT_MS))
        .compose(v -> answeredMeanwhile(vertx, load, 20))
        .compose(v -> vertx.executeBlocking(() -> {
          stop(node, "SIGTERM while starting", exits, timeline);
          return null;
        }))
        .compose(v -> answeredMeanwhile(vertx, load, 20));
  }

  /** SIGTERM, then until the process ends: by itself within 60 s, or it is killed and counted as not. */
  private static void stop(Node node, String what, List<String> exits, List<String> timeline)
      throws InterruptedException {
    timeline.add(node.name + " " + what + " " + System.currentTimeMillis());
    node.process.destroy();
    boolean ended = node.process.waitFor(60, TimeUnit.SECONDS);
    timeline.add(node.name + " ended " + System.currentTimeMillis());
    exits.add(ended ? "exited by itself" : "still running 60 s after SIGTERM");
    if (!ended) {
      node.process.destroyForcibly().waitFor();
    }
  }

  private static WebClient client(Vertx vertx, int port) {
    return ParleyProcesses.client(vertx, port, VISITORS + 2);
  }
}
