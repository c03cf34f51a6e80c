package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Knowledge;
import dev.parley.testing.Operators;
import dev.parley.testing.Operators.SignedIn;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SseEvents;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NUL (U+0000) is not text, as a chat message already was not: PostgreSQL cannot store it, and a model, a tool or a
 * mail would get something else than the operator saw. Every JSON body that holds one, in any string or field name,
 * is refused with 400 {@code invalid_text} naming the field, as a lone surrogate is; a CSV import with one in any
 * cell is a 422. Nothing is stored. A document whose extracted text holds one keeps U+FFFD in its place.
 */
@ParleyTest
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class NulCharactersTest {

  static final String NUL = "\\u0000";

  static TestApp app;
  static Operators people;
  static SignedIn owner;
  static String botId;

  @BeforeAll
  static void bot() {
    people = new Operators(app);
    owner = people.person("admin", null);
    botId = Await.result(app.createBot(new JsonObject().put("name", "Nul").put("api_key", "sk-nul-0123456789")
        .put("rag", new JsonObject().put("enabled", false)))).getString("id");
  }

  private static HttpResponse<Buffer> send(HttpRequest<Buffer> request, String json) {
    return Await.result(request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(json)));
  }

  private static void refused(HttpResponse<Buffer> response, String field) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_text");
    assertThat(error.getString("field")).isEqualTo(field);
  }

  private static JsonArray listed(String path, String field) {
    HttpResponse<Buffer> response = Await.result(app.admin(HttpMethod.GET, path).send());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonArray(field);
  }

  @Test
  void account_key_answer_and_evaluation_fields_with_nul_are_refused_and_nothing_is_stored() {
    String bot = "/api/bots/" + botId;
    refused(send(app.admin(HttpMethod.POST, "/api/users"),
        "{\"email\": \"nul-name@example.com\", \"name\": \"A" + NUL + "B\", \"role\": \"viewer\"}"), "name");
    refused(send(app.admin(HttpMethod.POST, "/api/users"),
        "{\"email\": \"nul" + NUL + "@example.com\", \"name\": \"Nul\", \"role\": \"viewer\"}"), "email");
    refused(send(people.as(owner, HttpMethod.POST, "/api/tokens"), "{\"name\": \"ci" + NUL + "\"}"), "name");
    refused(send(app.admin(HttpMethod.POST, bot + "/api-keys"), "{\"name\": \"shop" + NUL + "\"}"), "name");
    refused(send(app.admin(HttpMethod.POST, bot + "/answers"),
        "{\"question\": \"Hours?\", \"answer\": \"Nine to five\", \"alt_questions\": [\"When" + NUL + "\"]}"),
        "alt_questions[0]");
    refused(send(app.admin(HttpMethod.POST, bot + "/evaluations"),
        "{\"questions\": [{\"question\": \"Hours?\", \"expected_answer_contains\": \"nine" + NUL + "\"}]}"),
        "questions[0].expected_answer_contains");
    refused(send(app.admin(HttpMethod.POST, "/api/bots"), "{\"name\": \"x\", \"n" + NUL + "\": 1}"), null);

    assertThat(listed("/api/users", "users").encode()).doesNotContain("nul-name@example.com").doesNotContain("\\u0000");
    assertThat(listed(bot + "/api-keys", "keys")).isEmpty();
    assertThat(listed(bot + "/answers", "answers")).isEmpty();
    assertThat(listed(bot + "/evaluations", "evaluations")).isEmpty();
  }

  @Test
  void a_model_answer_with_nul_is_stored_and_sent_with_a_replacement_character() {
    String session = "nul-answer-session";
    app.openai.answerWith("Before\u0000after");
    try {
      HttpResponse<Buffer> answered = Await.result(app.chat(botId, new JsonObject().put("message", "say it")
          .put("session_id", session)));
      assertThat(answered.statusCode()).as(answered.bodyAsString()).isEqualTo(200);
      assertThat(answered.bodyAsJsonObject().getString("response")).isEqualTo("Before\uFFFDafter");
      SseEvents streamed = SseEvents.parse(Await.result(app.client.post("/api/chat/" + botId)
          .putHeader("Accept", "text/event-stream").sendJsonObject(new JsonObject().put("message", "again")
              .put("session_id", session + "-streamed"))).bodyAsString());
      assertThat(streamed.names()).endsWith("done");
      assertThat(streamed.deltaText()).isEqualTo("Before\uFFFDafter");
    } finally {
      app.openai.answer(body -> "Echo: ok");
    }
    for (String stored : new String[] {session, session + "-streamed"}) {
      HttpResponse<Buffer> history = Await.result(app.client.get("/api/chat/" + botId + "/session/" + stored).send());
      assertThat(history.bodyAsJsonObject().getJsonArray("messages").getJsonObject(1).getString("content"))
          .isEqualTo("Before\uFFFDafter");
    }
  }

  @Test
  void an_agents_reply_with_nul_is_refused_and_the_visitor_never_gets_it() {
    String session = "nul-reply-session";
    assertThat(Await.result(app.chat(botId, new JsonObject().put("message", "a person please").put("session_id", session)))
        .statusCode()).isEqualTo(200);
    String conversation = listed("/api/bots/" + botId + "/conversations", "conversations").stream()
        .map(JsonObject.class::cast).filter(c -> session.equals(c.getString("session_id"))).findFirst().orElseThrow()
        .getString("id");
    String path = "/api/bots/" + botId + "/conversations/" + conversation;
    assertThat(send(app.admin(HttpMethod.POST, path + "/assign"), "{}").statusCode()).isEqualTo(200);

    refused(send(app.admin(HttpMethod.POST, path + "/messages"), "{\"text\": \"Hello" + NUL + "there\"}"), "text");

    HttpResponse<Buffer> visitor = Await.result(app.client.get("/api/chat/" + botId + "/session/" + session).send());
    assertThat(visitor.bodyAsString()).doesNotContain("Hello");
  }

  @Test
  void csv_imports_with_nul_in_any_cell_are_422_and_import_nothing() {
    String bot = "/api/bots/" + botId;
    HttpResponse<Buffer> answers = Await.result(app.admin(HttpMethod.POST, bot + "/answers/import")
        .putHeader("Content-Type", "text/csv")
        .sendBuffer(Buffer.buffer("question,answer,alt_questions\r\nOpen?,Yes,\"When\u0000 open\"\r\n")));
    assertThat(answers.statusCode()).as(answers.bodyAsString()).isEqualTo(422);
    assertThat(answers.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("NUL");

    HttpResponse<Buffer> evaluation = Await.result(app.admin(HttpMethod.POST, bot + "/evaluations")
        .putHeader("Content-Type", "text/csv")
        .sendBuffer(Buffer.buffer("question,expected_document\r\nOpen?,hours\u0000.md\r\n")));
    assertThat(evaluation.statusCode()).as(evaluation.bodyAsString()).isEqualTo(422);

    assertThat(listed(bot + "/answers", "answers")).isEmpty();
    assertThat(listed(bot + "/evaluations", "evaluations")).isEmpty();
  }

  @Test
  void a_text_file_with_nul_past_its_first_4_kib_is_ingested_with_a_replacement_character() {
    String bot = Await.result(Knowledge.bot(app, new JsonObject())).getString("id");
    String filler = "Our shop opens at nine and closes at five on weekdays. ".repeat(100);
    HttpResponse<Buffer> upload = Await.result(Knowledge.upload(app, bot, "hours.txt", "text/plain",
        Knowledge.utf8(filler + "\n\nThe zebra\u0000code is ZX-9.")));
    assertThat(upload.statusCode()).as(upload.bodyAsString()).isEqualTo(202);
    JsonObject doc = Await.result(Knowledge.settled(app, bot,
        upload.bodyAsJsonObject().getJsonArray("documents").getJsonObject(0).getString("id")));
    assertThat(doc.getString("status")).as(doc.encode()).isEqualTo("ready");
    JsonArray found = Await.result(Knowledge.search(app, bot, "zebra code ZX-9"));
    assertThat(found.encode()).contains("zebra\ufffdcode").doesNotContain("\\u0000");
  }
}
