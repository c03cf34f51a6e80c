package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.AgentOnBus;
import dev.parley.testing.Await;
import dev.parley.testing.Knowledge;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/bots/{id}/gaps}: a log seeded through the real chat API (the extractive provider, real retrieval),
 * the feedback route and the handoff route groups by meaning, the biggest group first, with counts and reasons; a
 * question the documents answer well and nobody disliked is no gap.
 */
@ParleyTest
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class KnowledgeGapsTest {

  static TestApp app;
  static String botId;

  static final String RETURNS = "# Returns\n\n## Return window\n\nYou can return any item within 60 days of delivery "
      + "for a full refund. Tents must be dry and packed in their bag. Start a return from your account page.\n";
  static final String WARRANTY = "# Tent warranty\n\n## What the warranty covers\n\nCairn tents carry a 5-year "
      + "warranty against defects in poles, zips and seams. The warranty does not cover wear, UV damage or misuse.\n";

  @BeforeAll
  static void seed() {
    botId = Await.result(Knowledge.bot(app, new JsonObject().put("provider", "extractive")
        .put("rag", new JsonObject().put("enabled", true))
        .put("rate_limit", TestApp.UNTHROTTLED)
        .put("handoff", new JsonObject().put("enabled", true)))).getString("id");
    for (String[] doc : new String[][] {{"returns.md", RETURNS}, {"tent-warranty.md", WARRANTY}}) {
      JsonObject added = Await.result(Knowledge.addText(app, botId, doc[0], doc[1]));
      assertThat(Await.result(Knowledge.settled(app, botId, added.getString("id"))).getString("status")).isEqualTo("ready");
    }
    // three visitors ask for gift cards, two for a shop in Leeds: the documents say nothing of either
    ask("gift-cards-0001", "Do you sell gift cards?");
    ask("leeds-shop-0001", "Do you have a shop in Leeds?");
    ask("gift-cards-0002", "Can I buy a gift card?");
    ask("leeds-shop-0002", "Is there a store in Leeds?");
    ask("gift-cards-0003", "do you sell  GIFT cards?");
    // answered, but the visitor disliked the answer
    JsonObject disliked = ask("thumbs-down-001", "How many days do I have to return a tent?");
    HttpResponse<Buffer> rated = Await.result(app.client.post("/api/chat/" + botId + "/messages/"
        + disliked.getString("message_id") + "/feedback").sendJsonObject(new JsonObject().put("rating", "down")));
    assertThat(rated.statusCode()).as(rated.bodyAsString()).isEqualTo(200);
    // answered, then the visitor asked for a person
    ask("handed-over-001", "Does the tent warranty cover broken zips?");
    AgentOnBus agent = new AgentOnBus(app.vertx, "Gap");
    agent.online(botId);
    HttpResponse<Buffer> handed = Await.result(app.client.post("/api/chat/" + botId + "/session/handed-over-001/handoff")
        .sendJsonObject(new JsonObject()));
    agent.away();
    assertThat(handed.statusCode()).as(handed.bodyAsString()).isEqualTo(202);
    // answered well and nobody complained: no gap
    ask("answered-well-01", "What does the tent warranty cover?");
  }

  private static JsonObject ask(String session, String message) {
    HttpResponse<Buffer> response = Await.result(app.chat(botId, new JsonObject().put("message", message)
        .put("session_id", session)));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> gaps(String query) {
    return Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/gaps" + query).send());
  }

  @Test
  void unserved_questions_group_by_meaning_biggest_first_with_counts_and_reasons() {
    HttpResponse<Buffer> response = gaps("?days=30");
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    JsonArray groups = body.getJsonArray("groups");
    String shown = body.encodePrettily();
    assertThat(body.getInteger("days")).isEqualTo(30);
    assertThat(body.getInteger("scanned")).as(shown).isEqualTo(7);
    assertThat(groups.size()).as(shown).isEqualTo(4);

    JsonObject gifts = groups.getJsonObject(0);
    assertThat(gifts.getInteger("count")).as(shown).isEqualTo(3);
    assertThat(texts(gifts)).as(shown).containsExactly("do you sell  GIFT cards?", "Can I buy a gift card?",
        "Do you sell gift cards?");
    assertThat(gifts.getString("question")).isEqualTo("do you sell  GIFT cards?");
    assertThat(gifts.getJsonObject("reasons").getInteger("nothing_found")).as(shown).isEqualTo(3);

    JsonObject leeds = groups.getJsonObject(1);
    assertThat(leeds.getInteger("count")).as(shown).isEqualTo(2);
    assertThat(texts(leeds)).containsExactly("Is there a store in Leeds?", "Do you have a shop in Leeds?");

    // the two single questions, the newer first
    JsonObject handedOver = groups.getJsonObject(2);
    assertThat(texts(handedOver)).as(shown).containsExactly("Does the tent warranty cover broken zips?");
    assertThat(handedOver.getJsonObject("reasons").getInteger("handoff")).isEqualTo(1);
    JsonObject disliked = groups.getJsonObject(3);
    assertThat(texts(disliked)).as(shown).containsExactly("How many days do I have to return a tent?");
    assertThat(disliked.getJsonObject("reasons").getInteger("thumbs_down")).isEqualTo(1);
    assertThat(disliked.getJsonArray("examples").getJsonObject(0).getString("conversation_id")).isNotBlank();
  }

  @Test
  void days_outside_1_to_90_or_not_a_number_are_422() {
    for (String days : List.of("0", "91", "abc", "-3", "1.5")) {
      HttpResponse<Buffer> response = gaps("?days=" + days);
      assertThat(response.statusCode()).as(days).isEqualTo(422);
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("days");
    }
  }

  @Test
  void a_viewer_of_the_bot_reads_its_gaps_and_others_are_refused() {
    Operators people = new Operators(app);
    String viewer = people.token(people.person("viewer", new JsonArray().add(botId)), "gaps");
    assertThat(Await.result(people.bearer(viewer, HttpMethod.GET, "/api/bots/" + botId + "/gaps").send()).statusCode())
        .isEqualTo(200);
    String otherBot = Await.result(Knowledge.bot(app, new JsonObject().put("provider", "extractive"))).getString("id");
    String elsewhere = people.token(people.person("editor", new JsonArray().add(otherBot)), "gaps-elsewhere");
    assertThat(Await.result(people.bearer(elsewhere, HttpMethod.GET, "/api/bots/" + botId + "/gaps").send())
        .statusCode()).as("a bot out of scope is not there").isEqualTo(404);
    assertThat(Await.result(app.client.get("/api/bots/" + botId + "/gaps").send()).statusCode()).isEqualTo(401);
    assertThat(Await.result(app.admin(HttpMethod.GET, "/api/bots/" + java.util.UUID.randomUUID() + "/gaps").send())
        .statusCode()).isEqualTo(404);
  }

  private static List<String> texts(JsonObject group) {
    return group.getJsonArray("examples").stream().map(e -> ((JsonObject) e).getString("text")).toList();
  }
}
