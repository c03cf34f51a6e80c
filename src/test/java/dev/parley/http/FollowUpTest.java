package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.reliability.Turns;
import dev.parley.testing.AgentOnBus;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When no person is there (outside the bot's hours, or no agent has the inbox open) the visitor's handoff answers the
 * bot's offline message, and the follow-up form makes the conversation a follow-up: waiting, stored, announced.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class FollowUpTest {

  private static final JsonObject CLOSED_HOURS = new JsonObject().put("timezone", "UTC").put("weekly", new JsonObject());

  private static TestApp app;

  @Test
  void a_handoff_outside_the_bots_hours_answers_its_offline_message_and_still_waits() {
    String bot = bot(CLOSED_HOURS);
    String session = session();
    HttpResponse<Buffer> handed = post(bot, session, "handoff", new JsonObject().put("reason", "refund"));
    assertThat(handed.statusCode()).isEqualTo(202);
    assertThat(handed.bodyAsJsonObject()).isEqualTo(new JsonObject().put("state", "waiting").put("offline", true)
        .put("message", "Nobody is here; leave a message"));
  }

  @Test
  void a_handoff_within_the_hours_answers_the_waiting_message() {
    JsonObject always = new JsonObject().put("timezone", "UTC").put("weekly", new JsonObject());
    for (String day : new String[] {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) {
      always.getJsonObject("weekly").put(day, new JsonArray().add("00:00-24:00"));
    }
    String bot = bot(always);
    AgentOnBus agent = new AgentOnBus(app.vertx, "Ada");
    agent.online(bot);
    try {
      HttpResponse<Buffer> handed = post(bot, session(), "handoff", new JsonObject());
      assertThat(handed.statusCode()).isEqualTo(202);
      assertThat(handed.bodyAsJsonObject().getString("state")).isEqualTo("waiting");
      assertThat(handed.bodyAsJsonObject().getBoolean("offline", false)).isFalse();
    } finally {
      agent.away();
    }
  }

  @Test
  void a_follow_up_makes_the_conversation_wait_stores_the_message_and_is_announced() {
    String bot = bot(CLOSED_HOURS);
    String session = session();
    Promise<JsonObject> announced = Promise.promise();
    MessageConsumer<JsonObject> listener = app.vertx.eventBus().consumer(Addresses.EVENTS_CONVERSATION_FOLLOW_UP,
        event -> announced.tryComplete(event.body()));
    Await.result(listener.completion());
    try {
      HttpResponse<Buffer> left = post(bot, session, "follow-up", new JsonObject().put("name", "Grace Hopper")
          .put("email", "grace@example.test").put("message", "Please call me back about my order"));
      assertThat(left.statusCode()).isEqualTo(202);
      assertThat(left.bodyAsJsonObject().getString("state")).isEqualTo("waiting");

      JsonObject event = Await.result(announced.future());
      assertThat(event.getString("bot_id")).isEqualTo(bot);
      assertThat(event.getString("session_id")).isEqualTo(session);
      assertThat(event.getString("reason")).isEqualTo("follow_up");
      assertThat(event.getString("email")).isEqualTo("grace@example.test");
      assertThat(event.getString("conversation_id")).isEqualTo(left.bodyAsJsonObject().getString("conversation_id"));
      assertThat(event.encode()).doesNotContain("call me back");

      JsonArray messages = Await.result(Turns.session(app, bot, session));
      assertThat(messages).hasSize(1);
      assertThat(messages.getJsonObject(0).getString("role")).isEqualTo("user");
      assertThat(messages.getJsonObject(0).getString("content")).contains("Grace Hopper <grace@example.test>")
          .contains("Please call me back about my order");
    } finally {
      listener.unregister();
    }
  }

  @Test
  void a_follow_up_after_the_offline_handoff_makes_it_a_follow_up_in_the_log_the_inbox_the_export_and_the_agents_news() {
    String bot = bot(CLOSED_HOURS);
    String session = session();
    assertThat(post(bot, session, "handoff", new JsonObject().put("reason", "refund")).bodyAsJsonObject()
        .getBoolean("offline")).isTrue();
    Promise<JsonObject> told = Promise.promise();
    MessageConsumer<JsonObject> inbox = app.vertx.eventBus().consumer(Addresses.INBOX_CHANGES, change -> {
      if (bot.equals(change.body().getString("bot_id")) && "follow_up".equals(change.body().getString("type"))) {
        told.tryComplete(change.body());
      }
    });
    Await.result(inbox.completion());
    try {
      HttpResponse<Buffer> left = post(bot, session, "follow-up", new JsonObject().put("name", "Grace Hopper")
          .put("email", "grace@example.test").put("message", "Please call me back"));
      assertThat(left.statusCode()).isEqualTo(202);
      String conversation = left.bodyAsJsonObject().getString("conversation_id");
      JsonObject change = Await.result(told.future());
      assertThat(change.getString("reason")).isEqualTo("follow_up");
      assertThat(change.getString("conversation_id")).isEqualTo(conversation);
      assertThat(change.encode()).doesNotContain("grace@example.test");

      JsonObject log = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + bot + "/conversations/" + conversation).send())
          .bodyAsJsonObject();
      assertThat(log.getString("state")).isEqualTo("waiting");
      assertThat(log.getString("state_reason")).isEqualTo("follow_up");
      assertThat(log.getJsonObject("follow_up")).isEqualTo(new JsonObject().put("name", "Grace Hopper")
          .put("email", "grace@example.test"));
      JsonObject listed = Await.result(app.admin(HttpMethod.GET, "/api/inbox?state=waiting&bot_id=" + bot).send())
          .bodyAsJsonObject().getJsonArray("conversations").getJsonObject(0);
      assertThat(listed.getString("conversation_id")).isEqualTo(conversation);
      assertThat(listed.getString("state_reason")).isEqualTo("follow_up");
      String exported = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + bot + "/conversations/export?format=jsonl")
          .send()).bodyAsString();
      JsonObject line = new JsonObject(exported.split("\n")[0]);
      assertThat(line.getString("state")).isEqualTo("waiting");
      assertThat(line.getString("state_reason")).isEqualTo("follow_up");
      assertThat(line.getJsonArray("messages").getJsonObject(0).getString("content")).contains("Please call me back");
    } finally {
      inbox.unregister();
    }
  }

  @Test
  void a_follow_up_is_refused_with_the_field_named_and_nothing_stored() {
    String bot = bot(CLOSED_HOURS);
    String session = session();
    JsonObject good = new JsonObject().put("name", "Grace").put("email", "grace@example.test").put("message", "Hello");
    assertRefused(post(bot, session, "follow-up", good.copy().put("name", " ")), 422, "name");
    assertRefused(post(bot, session, "follow-up", good.copy().put("name", "Grace\nFollow-up request from Ada <ada@x.test>")),
        422, "name");
    assertRefused(post(bot, session, "follow-up", good.copy().put("name", "Grace\u202e")), 422, "name");
    assertRefused(post(bot, session, "follow-up", good.copy().put("email", "not-an-address")), 422, "email");
    // it is the agents' mail's Reply-To: a display name or a list would reach them as another address
    assertRefused(post(bot, session, "follow-up", good.copy().put("email", "Support<x@evil.test>")), 422, "email");
    assertRefused(post(bot, session, "follow-up", good.copy().put("email", "a,b@example.test")), 422, "email");
    assertRefused(post(bot, session, "follow-up", good.copy().put("message", "x".repeat(4_001))), 422, "message");
    assertRefused(post(bot, session, "follow-up", good.copy().put("phone", "123")), 422, "phone");
    assertRefused(post(bot, session, "follow-up", good.copy().put("message", 7)), 422, "message");
    assertThat(Await.result(Turns.session(app, bot, session))).isEmpty();

    String off = Await.result(app.createBot(new JsonObject().put("name", "No people").put("api_key", "sk-off"))).getString("id");
    assertThat(post(off, session, "follow-up", good).statusCode()).isEqualTo(409);
    assertThat(post("no-such-bot", session, "follow-up", good).statusCode()).isEqualTo(404);
    assertThat(Await.result(app.client.post("/api/chat/" + bot + "/session/bad!/follow-up").sendJsonObject(good))
        .statusCode()).isEqualTo(400);
  }

  private static void assertRefused(HttpResponse<Buffer> response, int status, String field) {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("field", error.getString("message"))).contains(field);
  }

  private static HttpResponse<Buffer> post(String bot, String session, String what, JsonObject body) {
    return Await.result(app.client.post("/api/chat/" + bot + "/session/" + session + "/" + what).sendJsonObject(body));
  }

  private static String bot(JsonObject hours) {
    return Await.result(app.createBot(new JsonObject().put("name", "Follow-up").put("api_key", "sk-follow-up")
        .put("handoff", new JsonObject().put("enabled", true).put("message_offline", "Nobody is here; leave a message")
            .put("hours", hours)))).getString("id");
  }

  private static String session() {
    return "follow-" + UUID.randomUUID();
  }
}
