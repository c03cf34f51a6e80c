package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.testing.Await;
import dev.parley.testing.OnPostgres;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.testing.TestApps;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two Parleys on one PostgreSQL with no shared event bus (two nodes behind a load balancer): a visitor asks for a
 * person on node A, an agent's inbox channel on node B hears it, the agent answers on node B, and the visitor's
 * session address on node A gets the message; the agent on B makes the bot's agents online for node A too; the bot's
 * stats count the request and the first reply.
 */
@OnPostgres
@ParleyTest(perTest = true)
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class InboxAcrossNodesPostgresTest {

  @Test
  void a_handoff_on_one_node_reaches_the_inbox_on_the_other_and_the_reply_comes_back(TestApps apps) throws Exception {
    TestApp nodeA = Await.result(apps.start(apps.dataDir.resolve("a")));
    Vertx otherVertx = Vertx.vertx();
    apps.afterwards(() -> Await.result(otherVertx.close()));
    TestApp nodeB = Await.result(TestApp.start(otherVertx, apps.dataDir.resolve("b")));
    apps.afterwards(() -> Await.result(nodeB.stop()));

    String botId = Await.result(nodeA.createBot(new JsonObject().put("name", "nodes").put("api_key", "sk-test-nodes")
        .put("handoff", new JsonObject().put("enabled", true)).put("rag", new JsonObject().put("enabled", false)))).getString("id");
    String session = "across-nodes-0001";
    List<JsonObject> visitorChannel = new CopyOnWriteArrayList<>();
    Await.result(nodeA.vertx.eventBus().<JsonObject>consumer(Addresses.SESSION_PREFIX + botId + "." + session,
        message -> visitorChannel.add(message.body())).completion());

    StringBuilder inbox = new StringBuilder();
    HttpClient http = otherVertx.createHttpClient();
    Promise<Integer> opened = Promise.promise();
    http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(nodeB.port)
            .setURI("/api/inbox/events").putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN))
        .compose(request -> request.send().map(response -> response.handler(chunk -> {
          synchronized (inbox) {
            inbox.append(chunk);
          }
        }).statusCode())).onComplete(opened);
    assertThat(Await.result(opened.future())).isEqualTo(200);
    long until = System.currentTimeMillis() + 15_000;
    while (!online(nodeA, botId) && System.currentTimeMillis() < until) {
      Thread.sleep(200);
    }
    assertThat(online(nodeA, botId)).as("node A knows the agent on node B is online").isTrue();

    HttpResponse<Buffer> handed = Await.result(nodeA.client.post("/api/chat/" + botId + "/session/" + session + "/handoff").send());
    assertThat(handed.statusCode()).isEqualTo(202);
    Await.result(Await.until(otherVertx, () -> inbox.toString().contains("event: handoff_requested")));
    String conversationId = Await.result(nodeB.admin(HttpMethod.GET, "/api/inbox?state=waiting&bot_id=" + botId).send())
        .bodyAsJsonObject().getJsonArray("conversations").getJsonObject(0).getString("conversation_id");

    HttpResponse<Buffer> sent = Await.result(nodeB.admin(HttpMethod.POST, "/api/bots/" + botId + "/conversations/"
        + conversationId + "/messages").sendJsonObject(new JsonObject().put("text", "Hello from node B")));
    assertThat(sent.statusCode()).isEqualTo(201);
    Await.result(Await.until(nodeA.vertx, () -> visitorChannel.stream().anyMatch(e -> "message".equals(e.getString("type")))));
    JsonObject message = visitorChannel.stream().filter(e -> "message".equals(e.getString("type"))).findFirst().orElseThrow();
    assertThat(message.getJsonObject("data").getString("text")).isEqualTo("Hello from node B");
    assertThat(message.getLong("id")).isPositive();
    assertThat(inbox.toString().indexOf("event: handoff_requested")).isLessThan(inbox.toString().indexOf("event: message"));
    JsonObject stats = Await.result(nodeA.admin(HttpMethod.GET, "/api/bots/" + botId + "/stats?days=2").send()).bodyAsJsonObject();
    assertThat(stats.getJsonObject("conversations").getLong("human")).isEqualTo(1L);
    assertThat(stats.getJsonArray("days").stream().mapToLong(d -> ((JsonObject) d).getLong("handoffs")).sum()).isEqualTo(1L);
    assertThat(stats.getJsonArray("days").stream().mapToLong(d -> ((JsonObject) d).getLong("first_replies")).sum()).isEqualTo(1L);
    Await.result(http.close());
  }

  private static boolean online(TestApp node, String botId) {
    return Await.result(node.vertx.eventBus().<JsonObject>request(Addresses.INBOX_ONLINE, new JsonObject().put("bot_id", botId)))
        .body().getBoolean("online");
  }
}
