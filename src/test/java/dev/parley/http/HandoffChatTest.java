package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Bus;
import dev.parley.common.ConversationClient;
import dev.parley.common.Timeouts;
import dev.parley.testing.AgentOnBus;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SseEvents;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The visitor's side of a handoff: the handoff route, the bot's handoff settings, the triggers (keywords, turns that
 * found nothing, a "down" rating) and the model left alone while a conversation waits for or is with a person.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class HandoffChatTest {

  static TestApp app;

  private static final JsonObject AGENT = new JsonObject().put("user_id", "u-agent").put("name", "Agnes").put("role", "agent");

  @BeforeEach
  void resetFakes() {
    app.openai.reset();
  }

  @Test
  void a_visitor_who_asks_for_a_person_waits_and_the_model_is_not_called_while_waiting() {
    String botId = bot(handoff(new JsonObject()));
    String session = "visitor-waits-0001";
    HttpResponse<Buffer> first = chat(botId, session, "hello");
    assertThat(first.statusCode()).isEqualTo(200);
    int calls = app.openai.requestCount();

    AgentOnBus agent = new AgentOnBus(app.vertx, "Ada");
    agent.online(botId);
    HttpResponse<Buffer> handed = Await.result(app.client.post("/api/chat/" + botId + "/session/" + session + "/handoff")
        .sendJsonObject(new JsonObject().put("reason", "billing question")));
    agent.away();
    assertThat(handed.statusCode()).isEqualTo(202);
    assertThat(handed.bodyAsJsonObject().getString("state")).isEqualTo("waiting");
    assertThat(handed.bodyAsJsonObject().getString("message")).isEqualTo("A person is coming");

    HttpResponse<Buffer> held = chat(botId, session, "are you there?");
    assertThat(held.statusCode()).isEqualTo(202);
    JsonObject body = held.bodyAsJsonObject();
    assertThat(body.getString("state")).isEqualTo("waiting");
    assertThat(body.getString("session_id")).isEqualTo(session);
    assertThat(body.getString("message_id")).isNotBlank();

    HttpResponse<Buffer> streamed = Await.result(app.client.post("/api/chat/" + botId).putHeader("Accept", "text/event-stream")
        .sendJsonObject(new JsonObject().put("message", "still there?").put("session_id", session)));
    SseEvents events = SseEvents.parse(streamed.bodyAsString());
    assertThat(events.names()).containsExactly("state");
    assertThat(events.first("state").getString("state")).isEqualTo("waiting");

    assertThat(app.openai.requestCount()).as("the model was not called while waiting").isEqualTo(calls);
    JsonArray messages = session(botId, session);
    assertThat(messages.stream().map(m -> ((JsonObject) m).getString("content")).toList())
        .contains("are you there?", "still there?");
  }

  @Test
  void the_model_is_not_called_while_an_agent_has_the_conversation_and_answers_again_once_released() {
    String botId = bot(handoff(new JsonObject()));
    String session = "visitor-human-0001";
    handoffRoute(botId, session);
    String conversation = Await.result(client().state("t", botId, session)).getString("state");
    assertThat(conversation).isEqualTo("waiting");
    String conversationId = Await.result(client().handoff("t", botId, session, null, "visitor")).getString("conversation_id");
    Await.result(client().message("t", botId, conversationId, AGENT, "Agnes here, your refund is on its way.", false));
    assertThat(chat(botId, session, "thanks!").statusCode()).isEqualTo(202);
    assertThat(app.openai.requestCount()).isZero();

    Await.result(client().release("t", botId, conversationId, AGENT));
    HttpResponse<Buffer> answered = chat(botId, session, "what did the agent say?");
    assertThat(answered.statusCode()).isEqualTo(200);
    assertThat(app.openai.requestCount()).isEqualTo(1);
    String sent = app.openai.requests().get(0).getJsonArray("messages").encode();
    assertThat(sent).as("the bot's history holds the agent's words").contains("your refund is on its way")
        .contains("thanks!");
  }

  @Test
  void a_message_to_a_closed_conversation_starts_the_bot_again() {
    String botId = bot(handoff(new JsonObject()));
    String session = "visitor-closed-001";
    String conversationId = Await.result(client().handoff("t", botId, session, null, "visitor")).getString("conversation_id");
    Await.result(client().close("t", botId, conversationId, AGENT));
    assertThat(chat(botId, session, "hello again").statusCode()).isEqualTo(200);
    assertThat(Await.result(client().state("t", botId, session)).getString("state")).isEqualTo("bot");
    assertThat(app.openai.requestCount()).isEqualTo(1);
  }

  @Test
  void a_keyword_asks_for_a_person_and_the_message_waits_for_them() {
    String botId = bot(handoff(new JsonObject().put("triggers", new JsonObject()
        .put("keywords", new JsonArray().add("human").add("talk to someone")))));
    assertThat(chat(botId, "visitor-keyword-01", "humane question").statusCode()).as("not a whole word").isEqualTo(200);
    HttpResponse<Buffer> held = chat(botId, "visitor-keyword-02", "I want to TALK TO SOMEONE please");
    assertThat(held.statusCode()).isEqualTo(202);
    assertThat(held.bodyAsJsonObject().getString("state")).isEqualTo("waiting");
    assertThat(app.openai.requestCount()).isEqualTo(1);
    JsonObject item = Await.result(client().inbox("t", java.util.List.of(botId), "waiting", 10))
        .getJsonArray("conversations").getJsonObject(0);
    assertThat(item.getString("state_trigger")).isEqualTo("keywords");
    assertThat(item.getString("state_reason")).isEqualTo("keyword: talk to someone");
    assertThat(item.getLong("unread")).isEqualTo(1L);
  }

  @Test
  void turns_whose_retrieval_found_nothing_above_min_score_ask_for_a_person() {
    String botId = bot(handoff(new JsonObject().put("triggers", new JsonObject().put("no_answer_turns", 2)))
        .put("rag", new JsonObject().put("enabled", true).put("min_score", 0.5)));
    String session = "visitor-noanswer-1";
    assertThat(chat(botId, session, "what is the warranty?").statusCode()).isEqualTo(200);
    assertThat(Await.result(client().state("t", botId, session)).getString("state")).isEqualTo("bot");
    assertThat(chat(botId, session, "and the return policy?").statusCode()).isEqualTo(200);
    assertThat(Await.result(client().state("t", botId, session)).getString("state")).isEqualTo("waiting");
    assertThat(chat(botId, session, "hello?").statusCode()).isEqualTo(202);
    assertThat(app.openai.requestCount()).isEqualTo(2);
  }

  @Test
  void a_down_rating_asks_for_a_person_when_the_bot_says_so_and_not_otherwise() {
    String on = bot(handoff(new JsonObject().put("triggers", new JsonObject().put("negative_feedback", true))));
    String off = bot(handoff(new JsonObject()));
    for (String botId : new String[] {on, off}) {
      String session = "visitor-rating-" + (botId.equals(on) ? "on" : "off");
      String messageId = chat(botId, session, "hi").bodyAsJsonObject().getString("message_id");
      HttpResponse<Buffer> rated = Await.result(app.client.post("/api/chat/" + botId + "/messages/" + messageId + "/feedback")
          .sendJsonObject(new JsonObject().put("rating", "down")));
      assertThat(rated.statusCode()).isEqualTo(200);
      assertThat(rated.bodyAsJsonObject().containsKey("session_id")).isFalse();
      assertThat(Await.result(client().state("t", botId, session)).getString("state"))
          .isEqualTo(botId.equals(on) ? "waiting" : "bot");
    }
  }

  @Test
  void the_handoff_route_refuses_a_bot_without_handoff_a_bad_session_and_a_bad_reason() {
    String disabled = bot(new JsonObject());
    HttpResponse<Buffer> refused = Await.result(app.client.post("/api/chat/" + disabled + "/session/visitor-disabled1/handoff").send());
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("handoff_disabled");
    String botId = bot(handoff(new JsonObject()));
    assertThat(Await.result(app.client.post("/api/chat/" + botId + "/session/bad!/handoff").send()).statusCode()).isEqualTo(400);
    HttpResponse<Buffer> reason = Await.result(app.client.post("/api/chat/" + botId + "/session/visitor-reason01/handoff")
        .sendJsonObject(new JsonObject().put("reason", 42)));
    assertThat(reason.statusCode()).isEqualTo(422);
    assertThat(reason.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("reason");
    assertThat(Await.result(client().state("t", botId, "visitor-reason01")).getString("state")).isEqualTo("bot");
    assertThat(Await.result(app.client.post("/api/chat/no-such-bot/session/visitor-nobot01/handoff").send()).statusCode())
        .isEqualTo(404);
  }

  @Test
  void handoff_settings_are_validated_on_save_naming_the_field() {
    String botId = bot(new JsonObject());
    assertThat(Await.result(app.admin(io.vertx.core.http.HttpMethod.GET, "/api/bots/" + botId).send()).bodyAsJsonObject()
        .getJsonObject("handoff").getBoolean("enabled")).isFalse();
    Object[][] bad = {
        {new JsonObject().put("enabled", "yes"), "handoff.enabled"},
        {new JsonObject().put("triggers", new JsonObject().put("keywords", "human")), "handoff.triggers.keywords"},
        {new JsonObject().put("triggers", new JsonObject().put("no_answer_turns", -1)), "handoff.triggers.no_answer_turns"},
        {new JsonObject().put("triggers", new JsonObject().put("sentiment", true)), "handoff.triggers.sentiment"},
        {new JsonObject().put("hours", new JsonObject().put("timezone", "Mars/Olympus").put("weekly", new JsonObject())),
            "handoff.hours"},
        {new JsonObject().put("hours", new JsonObject().put("timezone", "UTC")
            .put("weekly", new JsonObject().put("mon", new JsonArray().add("17:00-09:00")))), "handoff.hours"},
        {new JsonObject().put("colour", "red"), "handoff.colour"}};
    for (Object[] row : bad) {
      HttpResponse<Buffer> saved = Await.result(app.admin(io.vertx.core.http.HttpMethod.PUT, "/api/bots/" + botId)
          .sendJsonObject(new JsonObject().put("handoff", row[0])));
      assertThat(saved.statusCode()).as(row[0].toString()).isEqualTo(422);
      assertThat(saved.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo(row[1]);
    }
    HttpResponse<Buffer> good = Await.result(app.admin(io.vertx.core.http.HttpMethod.PUT, "/api/bots/" + botId)
        .sendJsonObject(new JsonObject().put("handoff", new JsonObject().put("enabled", true)
            .put("hours", new JsonObject().put("timezone", "Europe/Paris")
                .put("weekly", new JsonObject().put("mon", new JsonArray().add("09:00-17:00")))))));
    assertThat(good.statusCode()).isEqualTo(200);
    JsonObject saved = good.bodyAsJsonObject().getJsonObject("handoff");
    assertThat(saved.getBoolean("enabled")).isTrue();
    assertThat(saved.getJsonObject("triggers").getInteger("no_answer_turns")).isZero();
    assertThat(saved.getJsonObject("hours").getString("timezone")).isEqualTo("Europe/Paris");
  }

  private static JsonObject handoff(JsonObject settings) {
    return new JsonObject().put("handoff", new JsonObject().put("enabled", true).put("message_waiting", "A person is coming")
        .mergeIn(settings)).put("rag", new JsonObject().put("enabled", false));
  }

  private static String bot(JsonObject extra) {
    return Await.result(app.createBot(new JsonObject().put("name", "handoff").put("provider", "openai")
        .put("api_key", "sk-test-handoff").mergeIn(extra))).getString("id");
  }

  private static HttpResponse<Buffer> chat(String botId, String session, String message) {
    return Await.result(app.chat(botId, new JsonObject().put("message", message).put("session_id", session)));
  }

  private static void handoffRoute(String botId, String session) {
    assertThat(Await.result(app.client.post("/api/chat/" + botId + "/session/" + session + "/handoff").send()).statusCode())
        .isEqualTo(202);
  }

  private static JsonArray session(String botId, String session) {
    return Await.result(app.client.get("/api/chat/" + botId + "/session/" + session).send()).bodyAsJsonObject()
        .getJsonArray("messages");
  }

  private static ConversationClient client() {
    return new ConversationClient(new Bus(app.vertx), new Timeouts(5_000, 5_000, 5_000, 5_000, 0));
  }
}
