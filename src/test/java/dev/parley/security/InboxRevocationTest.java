package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Operators;
import dev.parley.testing.Operators.SignedIn;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SseChannel;
import dev.parley.testing.TestApp;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an agent loses when an owner takes it away holds for the inbox too: a live inbox channel opened before the
 * agent was disabled, re-scoped or signed out ends (re-checked every {@code http.inbox_recheck_ms}) instead of carrying
 * on with the bot's conversations, and a disabled agent cannot be made the holder of a conversation.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class InboxRevocationTest {

  static TestApp app;
  static Operators people;
  static String botId;
  static String otherBotId;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("http", new JsonObject().put("inbox_recheck_ms", 300));
  }

  @BeforeAll
  static void bots() {
    people = new Operators(app);
    botId = Await.result(app.createBot(bot())).getString("id");
    otherBotId = Await.result(app.createBot(bot())).getString("id");
  }

  static JsonObject bot() {
    return new JsonObject().put("name", "inbox").put("provider", "openai").put("api_key", "sk-test-inbox")
        .put("handoff", new JsonObject().put("enabled", true)).put("rag", new JsonObject().put("enabled", false));
  }

  static SseChannel inbox(SignedIn who) {
    SseChannel channel = Await.result(SseChannel.open(app.vertx, app.port, "/api/inbox/events",
        MultiMap.caseInsensitiveMultiMap().add("Cookie", "parley_session=" + who.session())));
    assertThat(channel.status()).isEqualTo(200);
    Await.result(channel.until(events -> events.stream().anyMatch(e -> e.name().equals("ready"))));
    return channel;
  }

  static void handoff(String session) {
    HttpResponse<Buffer> handed = Await.result(app.client.post("/api/chat/" + botId + "/session/" + session + "/handoff").send());
    assertThat(handed.statusCode()).isEqualTo(202);
  }

  static void change(SignedIn who, JsonObject patch) {
    assertThat(Await.result(app.admin(HttpMethod.PUT, "/api/users/" + who.id()).sendJsonObject(patch)).statusCode())
        .isEqualTo(200);
  }

  static void assertEndsWithoutNews(SseChannel channel, String session) {
    Await.result(Await.until(app.vertx, channel::ended, 10_000));
    handoff(session);
    assertThat(channel.events()).noneMatch(e -> session.equals(e.data().getString("session_id")));
    channel.close();
  }

  @Test
  void a_disabled_agents_open_inbox_channel_ends() {
    SignedIn agent = people.person("agent", new JsonArray().add(botId));
    SseChannel channel = inbox(agent);
    change(agent, new JsonObject().put("disabled", true));
    assertEndsWithoutNews(channel, "revoked-disabled-01");
  }

  @Test
  void an_agent_moved_to_another_bot_no_longer_hears_the_first_bot() {
    SignedIn agent = people.person("agent", new JsonArray().add(botId));
    SseChannel channel = inbox(agent);
    change(agent, new JsonObject().put("bot_ids", new JsonArray().add(otherBotId)));
    assertEndsWithoutNews(channel, "revoked-rescoped-01");
  }

  @Test
  void a_signed_out_agents_inbox_channel_ends() {
    SignedIn agent = people.person("agent", new JsonArray().add(botId));
    SseChannel channel = inbox(agent);
    assertThat(Await.result(people.as(agent, HttpMethod.POST, "/api/auth/logout").send()).statusCode()).isEqualTo(204);
    assertEndsWithoutNews(channel, "revoked-logout-001");
  }

  @Test
  void a_disabled_agent_cannot_be_assigned_a_conversation() {
    SignedIn agent = people.person("agent", new JsonArray().add(botId));
    change(agent, new JsonObject().put("disabled", true));
    handoff("assign-disabled-01");
    String conversation = Await.result(app.vertx.eventBus().<JsonObject>request(dev.parley.common.Addresses.CONVERSATION_HANDOFF,
        new JsonObject().put("bot_id", botId).put("session_id", "assign-disabled-01").put("trigger", "visitor")))
        .body().getString("conversation_id");
    HttpResponse<Buffer> assigned = Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/conversations/"
        + conversation + "/assign").sendJsonObject(new JsonObject().put("user_id", agent.id())));
    assertThat(assigned.statusCode()).as(assigned.bodyAsString()).isEqualTo(422);
    assertThat(assigned.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("user_id");
  }
}
