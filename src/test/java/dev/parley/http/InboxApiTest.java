package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Operators;
import dev.parley.testing.Operators.SignedIn;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SseEvents;
import dev.parley.testing.TestApp;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agents' routes: the inbox, its live channel and presence, and assign / messages / notes / release / close on a
 * conversation, with their refusals (no sign-in 401, a viewer 403, a bot out of scope 404, an unknown conversation
 * 404, held by another agent 409, bad input 400/422) and their audit entries.
 */
@ParleyTest
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class InboxApiTest {

  static TestApp app;
  static Operators people;
  static String botId;
  static String otherBotId;
  static SignedIn agent;
  static SignedIn secondAgent;
  static SignedIn otherAgent;
  static SignedIn viewer;
  static SignedIn admin;

  @BeforeAll
  static void people() {
    people = new Operators(app);
    botId = Await.result(app.createBot(bot())).getString("id");
    otherBotId = Await.result(app.createBot(bot())).getString("id");
    agent = people.person("agent", new JsonArray().add(botId));
    secondAgent = people.person("agent", new JsonArray().add(botId));
    otherAgent = people.person("agent", new JsonArray().add(otherBotId));
    viewer = people.person("viewer", null);
    admin = people.person("admin", null);
  }

  @Test
  void an_agent_takes_over_writes_notes_releases_and_closes_and_the_log_shows_it_all() {
    String conversation = waiting("inbox-flow-00001");
    JsonObject taken = ok(post(agent, conversation, "assign", new JsonObject()), 200);
    assertThat(taken.getString("state")).isEqualTo("human");
    assertThat(taken.getString("assignee_id")).isEqualTo(agent.id());
    JsonObject sent = ok(post(agent, conversation, "messages", new JsonObject().put("text", "Hi, I am here to help.")), 201);
    assertThat(sent.getString("message_id")).isNotBlank();
    ok(post(agent, conversation, "notes", new JsonObject().put("text", "VIP customer")), 201);
    assertThat(ok(post(agent, conversation, "release", null), 200).getString("state")).isEqualTo("bot");
    assertThat(ok(post(agent, conversation, "close", null), 200).getString("state")).isEqualTo("closed");

    JsonObject log = ok(Await.result(people.as(agent, HttpMethod.GET, "/api/bots/" + botId + "/conversations/" + conversation)
        .send()), 200);
    assertThat(log.getString("state")).isEqualTo("closed");
    JsonArray messages = log.getJsonArray("messages");
    assertThat(messages.stream().map(m -> ((JsonObject) m).getString("role")).toList()).containsExactly("agent", "note");
    assertThat(messages.getJsonObject(0).getString("author_id")).isEqualTo(agent.id());
    JsonArray visitorView = ok(Await.result(app.client.get("/api/chat/" + botId + "/session/inbox-flow-00001").send()), 200)
        .getJsonArray("messages");
    assertThat(visitorView.encode()).contains("Hi, I am here to help.").doesNotContain("VIP customer");

    JsonArray audit = ok(Await.result(people.as(admin, HttpMethod.GET, "/api/audit?limit=200").send()), 200)
        .getJsonArray("entries", new JsonArray());
    assertThat(audit.encode()).contains("conversation.assign").contains("message.create").contains("note.create")
        .contains("conversation.release").contains("conversation.close");
  }

  @Test
  void the_routes_refuse_no_sign_in_a_viewer_another_bots_agent_and_an_unknown_conversation() {
    String conversation = waiting("inbox-refuse-0001");
    String path = "/api/bots/" + botId + "/conversations/" + conversation + "/assign";
    assertThat(Await.result(app.client.post(path).sendJsonObject(new JsonObject())).statusCode()).isEqualTo(401);
    for (String action : List.of("assign", "messages", "notes", "release", "close")) {
      JsonObject body = new JsonObject().put("text", "x");
      assertThat(post(viewer, conversation, action, body).statusCode()).as("viewer " + action).isEqualTo(403);
      assertThat(post(otherAgent, conversation, action, body).statusCode()).as("out of scope " + action).isEqualTo(404);
      assertThat(post(agent, "no-such-conversation", action, body).statusCode()).as("unknown " + action).isEqualTo(404);
    }
    assertThat(Await.result(people.as(viewer, HttpMethod.GET, "/api/inbox").send()).statusCode()).isEqualTo(403);
    assertThat(Await.result(people.as(viewer, HttpMethod.GET, "/api/inbox/events").send()).statusCode()).isEqualTo(403);
    assertThat(Await.result(app.client.get("/api/inbox/events").send()).statusCode()).isEqualTo(401);
    assertThat(Await.result(app.client.get("/api/inbox").send()).statusCode()).isEqualTo(401);
    assertThat(Await.result(people.as(otherAgent, HttpMethod.GET, "/api/inbox?bot_id=" + botId).send()).statusCode())
        .isEqualTo(404);
    assertThat(Await.result(people.as(agent, HttpMethod.GET, "/api/inbox?state=sleeping").send()).statusCode()).isEqualTo(400);
  }

  @Test
  void another_agent_gets_409_while_an_admin_may_take_over_or_hand_it_to_an_agent() {
    String conversation = waiting("inbox-held-00001");
    ok(post(agent, conversation, "assign", new JsonObject()), 200);
    HttpResponse<Buffer> held = post(secondAgent, conversation, "messages", new JsonObject().put("text", "me too"));
    assertThat(held.statusCode()).isEqualTo(409);
    assertThat(held.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("conversation_held");
    assertThat(post(secondAgent, conversation, "release", null).statusCode()).isEqualTo(409);
    JsonObject handed = ok(post(admin, conversation, "assign", new JsonObject().put("user_id", secondAgent.id())), 200);
    assertThat(handed.getString("assignee_id")).isEqualTo(secondAgent.id());
    ok(post(secondAgent, conversation, "messages", new JsonObject().put("text", "taking it from here")), 201);
  }

  @Test
  void bad_input_is_refused_with_the_field_and_nothing_is_written() {
    String conversation = waiting("inbox-bad-000001");
    for (JsonObject body : List.of(new JsonObject(), new JsonObject().put("text", "  "), new JsonObject().put("text", 7))) {
      HttpResponse<Buffer> refused = post(agent, conversation, "messages", body);
      assertThat(refused.statusCode()).as(body.encode()).isEqualTo(422);
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("text");
    }
    HttpResponse<Buffer> tooLong = post(agent, conversation, "notes", new JsonObject().put("text", "x".repeat(4_001)));
    assertThat(tooLong.statusCode()).isEqualTo(422);
    HttpResponse<Buffer> notAnAgent = post(agent, conversation, "assign", new JsonObject().put("user_id", viewer.id()));
    assertThat(notAnAgent.statusCode()).isEqualTo(422);
    assertThat(notAnAgent.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("user_id");
    assertThat(post(agent, conversation, "assign", new JsonObject().put("user_id", otherAgent.id())).statusCode())
        .as("an agent of another bot").isEqualTo(422);
    assertThat(Await.result(people.as(agent, HttpMethod.POST, "/api/bots/" + botId + "/conversations/" + conversation
        + "/messages").putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{not json"))).statusCode())
        .isEqualTo(400);
    JsonObject log = ok(Await.result(people.as(agent, HttpMethod.GET, "/api/bots/" + botId + "/conversations/" + conversation)
        .send()), 200);
    assertThat(log.getString("state")).isEqualTo("waiting");
    assertThat(log.getJsonArray("messages")).isEmpty();
  }

  @Test
  void the_inbox_lists_only_the_bots_in_scope_waiting_first() {
    String mine = waiting("inbox-list-mine01");
    String theirs = waitingOn(otherBotId, "inbox-list-other1");
    JsonArray list = ok(Await.result(people.as(agent, HttpMethod.GET, "/api/inbox").send()), 200).getJsonArray("conversations");
    List<String> ids = list.stream().map(c -> ((JsonObject) c).getString("conversation_id")).toList();
    assertThat(ids).contains(mine).doesNotContain(theirs);
    assertThat(list.getJsonObject(0).getString("state")).isEqualTo("waiting");
    JsonArray all = ok(Await.result(people.as(admin, HttpMethod.GET, "/api/inbox?state=waiting").send()), 200)
        .getJsonArray("conversations");
    assertThat(all.stream().map(c -> ((JsonObject) c).getString("conversation_id")).toList()).contains(mine, theirs);
  }

  @Test
  void the_inbox_channel_tells_agents_of_the_bot_and_makes_them_online() throws InterruptedException {
    assertThat(online(botId)).isFalse();
    HttpClient http = app.vertx.createHttpClient();
    StringBuilder mine = new StringBuilder();
    StringBuilder theirs = new StringBuilder();
    HttpClientResponse agentStream = open(http, agent, mine);
    HttpClientResponse otherStream = open(http, otherAgent, theirs);
    Await.result(Await.until(app.vertx, () -> mine.toString().contains("ready") && theirs.toString().contains("ready")));
    assertThat(online(botId)).isTrue();

    String conversation = waiting("inbox-live-00001");
    Await.result(Await.until(app.vertx, () -> mine.toString().contains("event: handoff_requested")));
    ok(post(agent, conversation, "messages", new JsonObject().put("text", "hello from the inbox")), 201);
    Await.result(Await.until(app.vertx, () -> mine.toString().contains("event: message")));
    SseEvents events = SseEvents.parse(mine.toString());
    assertThat(events.names()).containsSubsequence("ready", "handoff_requested", "assigned", "message");
    assertThat(events.first("handoff_requested").getString("conversation_id")).isEqualTo(conversation);
    assertThat(mine.toString()).as("no text in the inbox channel").doesNotContain("hello from the inbox");
    assertThat(theirs.toString()).doesNotContain(conversation);

    agentStream.request().connection().close();
    otherStream.request().connection().close();
    long until = System.currentTimeMillis() + 10_000;
    while (online(botId) && System.currentTimeMillis() < until) {
      Thread.sleep(100);
    }
    assertThat(online(botId)).as("offline once the channels closed").isFalse();
    Await.result(http.close());
  }

  @Test
  void a_bots_stats_count_requests_for_a_person_per_trigger_the_first_replies_and_its_conversations_per_state() {
    JsonObject settings = bot();
    settings.getJsonObject("handoff").put("triggers", new JsonObject().put("keywords", new JsonArray().add("human")));
    String counted = Await.result(app.createBot(settings)).getString("id");
    String asked = waitingOn(counted, "stats-visitor-0001");
    assertThat(Await.result(app.client.post("/api/chat/" + counted).sendJsonObject(new JsonObject()
        .put("message", "Can I talk to a human?").put("session_id", "stats-keyword-0001"))).statusCode()).isEqualTo(202);
    ok(Await.result(app.admin(HttpMethod.POST, "/api/bots/" + counted + "/conversations/" + asked + "/messages")
        .sendJsonObject(new JsonObject().put("text", "Here I am"))), 201);
    ok(Await.result(app.admin(HttpMethod.POST, "/api/bots/" + counted + "/conversations/" + asked + "/messages")
        .sendJsonObject(new JsonObject().put("text", "Still here"))), 201);

    JsonObject stats = ok(Await.result(people.as(admin, HttpMethod.GET, "/api/bots/" + counted + "/stats?days=2").send()), 200);
    assertThat(stats.getJsonObject("conversations")).isEqualTo(new JsonObject().put("bot", 0).put("waiting", 1)
        .put("human", 1).put("closed", 0));
    long handoffs = 0;
    long visitor = 0;
    long keywords = 0;
    long replies = 0;
    for (Object item : stats.getJsonArray("days")) {
      JsonObject day = (JsonObject) item;
      handoffs += day.getLong("handoffs");
      visitor += day.getJsonObject("handoff_triggers").getLong("visitor");
      keywords += day.getJsonObject("handoff_triggers").getLong("keywords");
      replies += day.getLong("first_replies");
      if (day.getLong("first_replies") > 0) {
        assertThat(day.getLong("avg_first_reply_ms")).isNotNegative().isLessThan(60_000L);
      } else {
        assertThat(day.getValue("avg_first_reply_ms")).isNull();
      }
    }
    assertThat(handoffs).isEqualTo(2);
    assertThat(visitor).isEqualTo(1);
    assertThat(keywords).isEqualTo(1);
    assertThat(replies).as("only the first reply after the request counts").isEqualTo(1);
  }

  private static HttpClientResponse open(HttpClient http, SignedIn who, StringBuilder sink) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(app.port)
        .setURI("/api/inbox/events").putHeader("Cookie", "parley_session=" + who.session()).putHeader("Accept", "text/event-stream");
    Promise<HttpClientResponse> opened = Promise.promise();
    // the handler is set on the event loop as the response arrives: set later, from this thread, the channel's first
    // event could come and go before it
    http.request(options).compose(request -> request.send().map(response -> response.handler(chunk -> {
      synchronized (sink) {
        sink.append(chunk.toString());
      }
    }))).onComplete(opened);
    HttpClientResponse response = Await.result(opened.future());
    assertThat(response.statusCode()).isEqualTo(200);
    return response;
  }

  private static boolean online(String bot) {
    return Await.result(app.vertx.eventBus().<JsonObject>request(dev.parley.common.Addresses.INBOX_ONLINE,
        new JsonObject().put("bot_id", bot))).body().getBoolean("online");
  }

  private static String waiting(String session) {
    return waitingOn(botId, session);
  }

  private static String waitingOn(String bot, String session) {
    HttpResponse<Buffer> handed = Await.result(app.client.post("/api/chat/" + bot + "/session/" + session + "/handoff").send());
    assertThat(handed.statusCode()).isEqualTo(202);
    return Await.result(app.vertx.eventBus().<JsonObject>request(dev.parley.common.Addresses.CONVERSATION_HANDOFF,
        new JsonObject().put("bot_id", bot).put("session_id", session).put("trigger", "visitor"))).body().getString("conversation_id");
  }

  private static HttpResponse<Buffer> post(SignedIn who, String conversation, String action, JsonObject body) {
    var request = people.as(who, HttpMethod.POST, "/api/bots/" + botId + "/conversations/" + conversation + "/" + action);
    return Await.result(body == null ? request.send() : request.sendJsonObject(body));
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.bodyAsJsonObject();
  }

  private static JsonObject bot() {
    return new JsonObject().put("name", "inbox").put("provider", "openai").put("api_key", "sk-test-inbox")
        .put("handoff", new JsonObject().put("enabled", true)).put("rag", new JsonObject().put("enabled", false));
  }

}
