package dev.parley.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.testing.Await;
import dev.parley.testing.Operators;
import dev.parley.testing.Operators.SignedIn;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The webhook extension configured for the conversation events: a visitor's handoff request and an agent's assign,
 * message, release and close through the inbox routes reach the receiver in order, with what a receiver needs and
 * nothing secret.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ConversationWebhookTest {

  private static final String SESSION = "webhook-handoff-0001";
  private static final String BOT_KEY = "sk-test-webhook-conversation";
  private static final List<String> EVENTS = List.of(Addresses.EVENTS_CONVERSATION_HANDOFF_REQUESTED,
      Addresses.EVENTS_CONVERSATION_ASSIGNED, Addresses.EVENTS_CONVERSATION_MESSAGE,
      Addresses.EVENTS_CONVERSATION_RELEASED, Addresses.EVENTS_CONVERSATION_CLOSED);

  static TestApp app;
  static WebhookReceiver receiver;

  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    return WebhookReceiver.start(vertx).map(started -> {
      receiver = started;
      return new JsonObject().put("extensions", new JsonArray()
          .add(receiver.extension(new JsonObject().put("events", new JsonArray(EVENTS)).put("max_in_flight", 1))));
    });
  }

  @Test
  void a_handoff_and_an_agents_assign_message_release_and_close_reach_the_webhook_in_order_without_secrets(Vertx vertx) {
    Operators people = new Operators(app);
    String botId = Await.result(app.createBot(new JsonObject().put("name", "hooked").put("provider", "openai")
        .put("api_key", BOT_KEY).put("handoff", new JsonObject().put("enabled", true))
        .put("rag", new JsonObject().put("enabled", false)))).getString("id");
    SignedIn agent = people.person("agent", new JsonArray().add(botId));

    HttpResponse<Buffer> handoff = Await.result(app.client.post("/api/chat/" + botId + "/session/" + SESSION + "/handoff")
        .sendJsonObject(new JsonObject().put("reason", "billing question")));
    assertThat(handoff.statusCode()).as(handoff.bodyAsString()).isEqualTo(202);
    Await.result(Await.until(vertx, () -> receiver.received().size() >= 1));
    String conversation = data(0).getString("conversation_id");
    assertThat(conversation).isNotBlank();

    String base = "/api/bots/" + botId + "/conversations/" + conversation + "/";
    assertThat(status(people.as(agent, HttpMethod.POST, base + "assign").sendJsonObject(new JsonObject()))).isEqualTo(200);
    assertThat(status(people.as(agent, HttpMethod.POST, base + "messages")
        .sendJsonObject(new JsonObject().put("text", "Hello, I can help.")))).isEqualTo(201);
    assertThat(status(people.as(agent, HttpMethod.POST, base + "notes")
        .sendJsonObject(new JsonObject().put("text", "internal: refund likely")))).isEqualTo(201);
    assertThat(status(people.as(agent, HttpMethod.POST, base + "release").send())).isEqualTo(200);
    assertThat(status(people.as(agent, HttpMethod.POST, base + "close").send())).isEqualTo(200);
    Await.result(Await.until(vertx, () -> receiver.received().size() >= 5));

    assertThat(receiver.received().stream().map(r -> r.body().toJsonObject().getString("event")).toList())
        .containsExactlyElementsOf(EVENTS);
    assertThat(receiver.received().stream().map(r -> r.headers().get("X-Parley-Event")).toList())
        .containsExactlyElementsOf(EVENTS);
    for (int i = 0; i < EVENTS.size(); i++) {
      JsonObject data = data(i);
      assertThat(data.getString("bot_id")).as(EVENTS.get(i)).isEqualTo(botId);
      assertThat(data.getString("conversation_id")).as(EVENTS.get(i)).isEqualTo(conversation);
      assertThat(data.getString("session_id")).as(EVENTS.get(i)).isEqualTo(SESSION);
      assertThat(data.getLong("at")).as(EVENTS.get(i)).isPositive();
    }
    assertThat(data(0).getString("state")).isEqualTo("waiting");
    assertThat(data(0).getString("trigger")).isEqualTo("visitor");
    assertThat(data(0).getString("reason")).isEqualTo("billing question");
    assertThat(data(1).getString("state")).isEqualTo("human");
    assertThat(data(1).getString("user_id")).isEqualTo(agent.id());
    assertThat(data(1).getString("assignee_id")).isEqualTo(agent.id());
    assertThat(data(2).getString("state")).isEqualTo("human");
    assertThat(data(2).getString("role")).isEqualTo("agent");
    assertThat(data(2).getString("text")).isEqualTo("Hello, I can help.");
    assertThat(data(2).getString("message_id")).isNotBlank();
    assertThat(data(2).getString("assignee_id")).isEqualTo(agent.id());
    assertThat(data(3).getString("state")).isEqualTo("bot");
    assertThat(data(3).getString("user_id")).isEqualTo(agent.id());
    assertThat(data(3).containsKey("assignee_id")).isFalse();
    assertThat(data(4).getString("state")).isEqualTo("closed");
    assertThat(data(4).getString("user_id")).isEqualTo(agent.id());

    String all = receiver.received().stream().map(r -> r.body().toString() + r.headers().entries()).toList().toString();
    assertThat(all).doesNotContain("internal: refund likely").doesNotContain(BOT_KEY).doesNotContain(agent.session())
        .doesNotContain(agent.csrf()).doesNotContain(agent.user().getString("email")).doesNotContain(Operators.PASSWORD)
        .doesNotContain("X-Parley-Signature");
  }

  private static JsonObject data(int index) {
    return receiver.received().get(index).body().toJsonObject().getJsonObject("data");
  }

  private static int status(Future<HttpResponse<Buffer>> response) {
    return Await.result(response).statusCode();
  }
}
