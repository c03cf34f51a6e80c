package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ClusterAccess;
import dev.parley.MainVerticle;
import dev.parley.fake.FakeAnthropic;
import dev.parley.fake.FakeOpenAi;
import dev.parley.testing.ParleyProcesses;
import dev.parley.testing.TestApp;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Two clustered nodes: one serves HTTP only, the other runs every other role. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class ClusterTest {

  @TempDir
  Path dataDir;

  private Vertx httpNode;
  private Vertx workerNode;

  @AfterEach
  void stop() throws Exception {
    for (Vertx node : new Vertx[] {httpNode, workerNode}) {
      if (node != null) {
        node.close().await(20, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void a_chat_turn_crosses_from_the_http_node_to_the_worker_node(Vertx local, VertxTestContext test) {
    int hazelcastPort = 20_000 + (int) (Math.random() * 20_000);
    JsonObject cluster = new JsonObject().put("name", "parley-test-" + hazelcastPort).put("host", "127.0.0.1")
        .put("port", hazelcastPort)
        .put("members", new JsonArray().add("127.0.0.1:" + hazelcastPort).add("127.0.0.1:" + (hazelcastPort + 1)));
    Future.all(FakeOpenAi.start(local), FakeAnthropic.start(local)).compose(fakes -> {
      FakeOpenAi openai = fakes.resultAt(0);
      int port = TestApp.freePort();
      JsonObject config = TestApp.config(dataDir, port, openai, fakes.resultAt(1)).put("cluster", cluster);
      return node(cluster).compose(worker -> {
        workerNode = worker;
        return deploy(worker, config.copy().put("roles", new JsonArray(List.of("bot", "memory", "provider"))));
      }).compose(v -> node(cluster.copy().put("port", hazelcastPort + 1))).compose(http -> {
        httpNode = http;
        return deploy(http, config.copy().put("roles", new JsonArray().add("http")));
      }).compose(v -> {
        WebClient client = WebClient.create(local);
        return retryUntilHandlersAreVisible(client, port)
            .compose(bot -> client.post(port, "127.0.0.1", "/api/chat/" + bot.getString("id"))
                .sendJsonObject(new JsonObject().put("message", "across the cluster").put("session_id", "cluster-session"))
                .compose(json -> {
                  assertThat(json.statusCode()).isEqualTo(200);
                  assertThat(json.bodyAsJsonObject().getString("response")).isEqualTo("Echo: across the cluster");
                  openai.answerWith("streamed over the clustered event bus");
                  return client.post(port, "127.0.0.1", "/api/chat/" + bot.getString("id"))
                      .putHeader("Accept", "text/event-stream")
                      .sendJsonObject(new JsonObject().put("message", "stream it").put("session_id", "cluster-session"));
                })
                .compose(streamed -> {
                  String body = streamed.bodyAsString();
                  assertThat(body).startsWith("event: start");
                  assertThat(body).contains("event: delta").contains("event: done");
                  return client.get(port, "127.0.0.1", "/api/chat/" + bot.getString("id") + "/session/cluster-session").send();
                })
                .map(session -> {
                  JsonArray messages = session.bodyAsJsonObject().getJsonArray("messages");
                  assertThat(messages).hasSize(4);
                  assertThat(messages.getJsonObject(3).getString("content")).isEqualTo("streamed over the clustered event bus");
                  assertThat(openai.requests().get(1).getJsonArray("messages")).hasSize(4);
                  return messages;
                }));
      });
    }).onComplete(test.succeedingThenComplete());
  }

  /**
   * A clustered Vert.x in this JVM, on 127.0.0.1, with Parley's Hazelcast configuration for {@code cluster} (its
   * {@code join_timeout_s} the tests' {@link ParleyProcesses#JOIN_TIMEOUT_S} unless it names one).
   */
  static Future<Vertx> node(JsonObject cluster) {
    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions()
        .setHost("127.0.0.1").setPort(0).setClusterPublicHost("127.0.0.1"));
    JsonObject joining = cluster.copy().put("join_timeout_s",
        cluster.getInteger("join_timeout_s", ParleyProcesses.JOIN_TIMEOUT_S));
    return Vertx.builder().with(options)
        .withClusterManager(new HazelcastClusterManager(ClusterAccess.hazelcast(joining)))
        .buildClustered();
  }

  private static Future<String> deploy(Vertx node, JsonObject config) {
    return node.deployVerticle(new MainVerticle(), new DeploymentOptions().setConfig(config));
  }

  /** Subscriptions reach the other node shortly after it joins; until then requests get 503. */
  private Future<JsonObject> retryUntilHandlersAreVisible(WebClient client, int port) {
    Promise<JsonObject> created = Promise.promise();
    attempt(client, port, created, System.currentTimeMillis() + 20_000);
    return created.future();
  }

  private void attempt(WebClient client, int port, Promise<JsonObject> created, long deadline) {
    client.request(HttpMethod.POST, port, "127.0.0.1", "/api/bots")
        .putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN)
        .sendJsonObject(new JsonObject().put("name", "Clustered").put("api_key", "sk-cluster-test-key-1234"))
        .onComplete(result -> {
          if (result.succeeded() && result.result().statusCode() == 201) {
            created.complete(result.result().bodyAsJsonObject());
          } else if (System.currentTimeMillis() > deadline) {
            created.fail("bot API never answered across the cluster: "
                + (result.succeeded() ? result.result().bodyAsString() : result.cause()));
          } else {
            httpNode.setTimer(200, t -> attempt(client, port, created, deadline));
          }
        });
  }
}
