package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeOpenAi;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyProcesses;
import dev.parley.testing.SseChannel;
import dev.parley.testing.TestApp;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14's multi-process test: two Parley processes, each with every role, clustered on one PostgreSQL. The
 * visitor's channel is on node {@code a}, the agent (inbox channel and replies) on node {@code b}; messages go both
 * ways; node {@code a} is restarted (SIGTERM, then started again) while the agent writes; the visitor comes back with
 * {@code Last-Event-ID} and has every agent message once, in order, and the agent every visitor message.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 300, timeUnit = TimeUnit.SECONDS)
class HandoffAcrossProcessesTest {

  private static final String ROLES = "http,bot,memory,rag,provider";
  private static final long START_TIMEOUT_MS = 150_000;

  @RegisterExtension
  final ParleyProcesses processes = ParleyProcesses.perTest("handoff-processes-logs");

  private final List<SseChannel> channels = new ArrayList<>();

  @AfterEach
  void closeChannels() {
    channels.forEach(SseChannel::close);
  }

  @Test
  void a_visitor_and_an_agent_on_two_processes_lose_no_message_when_the_visitors_node_restarts(Vertx vertx)
      throws Exception {
    String url = processes.postgresUrl();
    Path config = processes.configFile(c -> c.getJsonObject("http").put("shutdown_delay_ms", 500));
    FakeOpenAi openai = Await.result(FakeOpenAi.start(vertx));
    int hazelcast = ParleyProcesses.hazelcastPort();
    String members = ParleyProcesses.members(hazelcast, 2);
    int portA = TestApp.freePort();
    int portB = TestApp.freePort();
    Process a = processes.launchClustered("a-0", ROLES, hazelcast, portA, members, url, config, openai.baseUrl());
    processes.launchClustered("b", ROLES, hazelcast + 1, portB, members, url, config, openai.baseUrl());
    WebClient visitor = ParleyProcesses.client(vertx, portA, 4);
    WebClient agent = ParleyProcesses.client(vertx, portB, 4);
    Await.result(ParleyProcesses.answering(vertx, visitor, START_TIMEOUT_MS), 180);
    Await.result(ParleyProcesses.answering(vertx, agent, START_TIMEOUT_MS), 180);

    HttpResponse<Buffer> created = Await.result(agent.post("/api/bots").putHeader("Authorization", admin())
        .sendJsonObject(new JsonObject().put("name", "Two processes").put("api_key", "sk-two-processes-0000")
            .put("handoff", new JsonObject().put("enabled", true)).put("rag", new JsonObject().put("enabled", false))));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String bot = created.bodyAsJsonObject().getString("id");
    String session = "two-processes-session";
    String chat = "/api/chat/" + bot;

    // the agent opens the inbox on b; the visitor, on a, opens the channel and asks for a person
    SseChannel inbox = open(vertx, portB, "/api/inbox/events", MultiMap.caseInsensitiveMultiMap().add("Authorization", admin()));
    Await.result(inbox.until(events -> names(events).contains("ready")));
    SseChannel first = open(vertx, portA, chat + "/session/" + session + "/events", null);
    assertThat(Await.result(visitor.post(chat + "/session/" + session + "/handoff").send()).statusCode()).isEqualTo(202);
    Await.result(inbox.until(events -> names(events).contains("handoff_requested")), 30);
    String conversation = inbox.events().stream().filter(e -> e.name().equals("handoff_requested")).findFirst()
        .orElseThrow().data().getString("conversation_id");
    String replies = "/api/bots/" + bot + "/conversations/" + conversation + "/messages";

    // messages both ways, then node a goes away while the agent writes
    agentSays(agent, replies, "Hello, Ada here");
    Await.result(first.until(events -> texts(events).contains("Hello, Ada here")), 30);
    visitorSays(visitor, chat, session, "My parcel is late");
    Await.result(inbox.until(events -> names(events).contains("visitor_message")), 30);
    String lastId = first.lastId();
    a.destroy();
    assertThat(a.waitFor(60, TimeUnit.SECONDS)).as("node a stops by itself on SIGTERM").isTrue();
    agentSays(agent, replies, "It left our warehouse this morning");
    agentSays(agent, replies, "It should arrive tomorrow");
    processes.launchClustered("a-1", ROLES, hazelcast, portA, members, url, config, openai.baseUrl());
    Await.result(ParleyProcesses.answering(vertx, visitor, START_TIMEOUT_MS), 180);

    // the visitor comes back on the restarted node with the last id it had: the missed messages, once, in order
    SseChannel resumed = open(vertx, portA, chat + "/session/" + session + "/events",
        MultiMap.caseInsensitiveMultiMap().add("Last-Event-ID", lastId));
    Await.result(resumed.until(events -> texts(events).contains("It should arrive tomorrow")), 30);
    visitorSays(visitor, chat, session, "Thanks!");
    agentSays(agent, replies, "You are welcome");
    Await.result(resumed.until(events -> texts(events).contains("You are welcome")), 30);

    List<SseChannel.Event> seen = new ArrayList<>(first.events());
    seen.addAll(resumed.events());
    assertThat(texts(seen)).containsExactly("Hello, Ada here", "It left our warehouse this morning",
        "It should arrive tomorrow", "You are welcome");
    List<String> ids = seen.stream().map(SseChannel.Event::id).toList();
    assertThat(ids).as("no event twice across the reconnect").doesNotHaveDuplicates();

    HttpResponse<Buffer> log = Await.result(agent.get("/api/bots/" + bot + "/conversations/" + conversation)
        .putHeader("Authorization", admin()).send());
    assertThat(log.statusCode()).isEqualTo(200);
    List<String> visitorMessages = new ArrayList<>();
    for (Object message : log.bodyAsJsonObject().getJsonArray("messages", new JsonArray())) {
      if ("user".equals(((JsonObject) message).getString("role"))) {
        visitorMessages.add(((JsonObject) message).getString("content"));
      }
    }
    assertThat(visitorMessages).containsExactly("My parcel is late", "Thanks!");
    assertThat(openai.requestCount()).as("no model call while with a person").isZero();
  }

  private static String admin() {
    return "Bearer " + TestApp.ADMIN_TOKEN;
  }

  private static void agentSays(WebClient agent, String path, String text) {
    HttpResponse<Buffer> sent = Await.result(agent.post(path).putHeader("Authorization", admin())
        .sendJsonObject(new JsonObject().put("text", text)));
    assertThat(sent.statusCode()).as(sent.bodyAsString()).isEqualTo(201);
  }

  private static void visitorSays(WebClient visitor, String chat, String session, String text) {
    HttpResponse<Buffer> held = Await.result(visitor.post(chat)
        .sendJsonObject(new JsonObject().put("message", text).put("session_id", session)));
    assertThat(held.statusCode()).as(held.bodyAsString()).isEqualTo(202);
  }

  private SseChannel open(Vertx vertx, int port, String path, MultiMap headers) {
    SseChannel channel = Await.result(SseChannel.open(vertx, port, path, headers));
    channels.add(channel);
    assertThat(channel.status()).isEqualTo(200);
    return channel;
  }

  private static List<String> names(List<SseChannel.Event> events) {
    return events.stream().map(SseChannel.Event::name).toList();
  }

  private static List<String> texts(List<SseChannel.Event> events) {
    return events.stream().filter(e -> e.name().equals("message")).map(e -> e.data().getString("text")).toList();
  }
}
