package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.MainVerticle;
import dev.parley.common.Bus;
import dev.parley.common.MemoryClient;
import dev.parley.common.Timeouts;
import dev.parley.fake.FakeAnthropic;
import dev.parley.fake.FakeOpenAi;
import dev.parley.testing.AgentOnBus;
import dev.parley.testing.Await;
import dev.parley.testing.SseChannel;
import dev.parley.testing.TestApp;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The visitor and the agent on different nodes of a cluster (clustered Vert.x instances in this JVM, as
 * {@link ClusterTest}): the visitor's channel is on the HTTP node, the agent acts on the data node; messages go both
 * ways, and the HTTP node is restarted in between without the visitor losing the agent's message written meanwhile.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 150, timeUnit = TimeUnit.SECONDS)
class VisitorChannelAcrossNodesTest {

  @TempDir
  Path dataDir;

  private Vertx httpNode;
  private Vertx dataNode;
  private SseChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.close();
    }
    for (Vertx node : new Vertx[] {httpNode, dataNode}) {
      if (node != null) {
        node.close().await(20, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void an_agent_on_another_node_reaches_a_visitor_whose_node_restarted_and_hears_them() throws Exception {
    int hazelcastPort = 20_000 + (int) (Math.random() * 20_000);
    JsonObject cluster = new JsonObject().put("name", "parley-channel-" + hazelcastPort).put("host", "127.0.0.1")
        .put("port", hazelcastPort)
        .put("members", new JsonArray().add("127.0.0.1:" + hazelcastPort).add("127.0.0.1:" + (hazelcastPort + 1)));
    Vertx local = Vertx.vertx();
    try {
      FakeOpenAi openai = Await.result(FakeOpenAi.start(local));
      FakeAnthropic anthropic = Await.result(FakeAnthropic.start(local));
      int port = TestApp.freePort();
      JsonObject config = TestApp.config(dataDir, port, openai, anthropic).put("cluster", cluster);
      dataNode = Await.result(ClusterTest.node(cluster), 60);
      Await.result(dataNode.deployVerticle(new MainVerticle(), new DeploymentOptions()
          .setConfig(config.copy().put("roles", new JsonArray(List.of("bot", "memory", "provider"))))), 60);
      JsonObject httpConfig = config.copy().put("roles", new JsonArray().add("http"));
      httpNode = startHttp(cluster.copy().put("port", hazelcastPort + 1), httpConfig);

      WebClient client = WebClient.create(local);
      String bot = createBot(local, client, port);
      String session = "across-nodes-session";
      AgentOnBus ada = new AgentOnBus(dataNode, "Ada");
      MemoryClient memory = new MemoryClient(new Bus(dataNode), Timeouts.from(null));

      // the visitor, on the HTTP node, asks for a person; the agent, on the data node, answers
      channel = open(local, port, bot, session, null);
      assertThat(Await.result(client.post(port, "127.0.0.1", "/api/chat/" + bot + "/session/" + session + "/handoff")
          .send()).statusCode()).isEqualTo(202);
      String conversation = Await.result(ada.handoff(bot, session));
      Await.result(ada.says(bot, conversation, "Hi, I am Ada"));
      Await.result(channel.until(events -> texts(events).contains("Hi, I am Ada")));

      // the visitor writes: held for the people, the agent's node reads it
      assertThat(Await.result(client.post(port, "127.0.0.1", "/api/chat/" + bot)
          .sendJsonObject(new JsonObject().put("message", "My parcel is late").put("session_id", session)))
          .statusCode()).isEqualTo(202);
      assertThat(Await.result(memory.messages(null, bot, session)).encode()).contains("My parcel is late");

      // the visitor's node restarts; the agent writes meanwhile
      String lastId = channel.lastId();
      Await.result(httpNode.close(), 30);
      httpNode = null;
      Await.result(ada.says(bot, conversation, "It left our warehouse this morning"));
      httpNode = startHttp(cluster.copy().put("port", hazelcastPort + 1), httpConfig);
      // the restarted node sees the data node's handlers shortly after it joins
      SseChannel resumed = open(local, port, bot, session, lastId);
      Await.result(resumed.until(events -> texts(events).contains("It left our warehouse this morning")));
      assertThat(texts(resumed.events())).containsExactly("It left our warehouse this morning");
      channel.close();
      channel = resumed;

      assertThat(Await.result(client.post(port, "127.0.0.1", "/api/chat/" + bot)
          .sendJsonObject(new JsonObject().put("message", "Thanks!").put("session_id", session))).statusCode())
          .isEqualTo(202);
      assertThat(Await.result(memory.messages(null, bot, session)).encode()).contains("Thanks!");
      assertThat(openai.requestCount()).isZero();
    } finally {
      local.close().await(20, TimeUnit.SECONDS);
    }
  }

  private static List<String> texts(List<SseChannel.Event> events) {
    return events.stream().filter(e -> e.name().equals("message")).map(e -> e.data().getString("text")).toList();
  }

  private static Vertx startHttp(JsonObject cluster, JsonObject config) {
    Vertx node = Await.result(ClusterTest.node(cluster), 60);
    Await.result(node.deployVerticle(new MainVerticle(), new DeploymentOptions().setConfig(config)), 60);
    return node;
  }

  /** The visitor's channel, opened again until the node answers it (its view of the cluster may lag). */
  private static SseChannel open(Vertx local, int port, String bot, String session, String lastId) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (lastId != null) {
      headers.add("Last-Event-ID", lastId);
    }
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      SseChannel opened = Await.result(SseChannel.open(local, port, "/api/chat/" + bot + "/session/" + session
          + "/events", headers));
      if (opened.status() == 200 || System.currentTimeMillis() > deadline) {
        assertThat(opened.status()).isEqualTo(200);
        return opened;
      }
      opened.close();
      Await.result(local.timer(200));
    }
  }

  /** Subscriptions reach the other node shortly after it joins: the bot API is retried until it answers. */
  private static String createBot(Vertx local, WebClient client, int port) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      var created = Await.result(client.request(HttpMethod.POST, port, "127.0.0.1", "/api/bots")
          .putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN)
          .sendJsonObject(new JsonObject().put("name", "Across nodes").put("api_key", "sk-across-nodes-1234")
              .put("handoff", new JsonObject().put("enabled", true))));
      if (created.statusCode() == 201) {
        return created.bodyAsJsonObject().getString("id");
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("bot API never answered across the cluster: " + created.bodyAsString());
      }
      Await.result(local.timer(200));
    }
  }
}
