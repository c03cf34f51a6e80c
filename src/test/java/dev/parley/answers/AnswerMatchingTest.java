package dev.parley.answers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.BotKeys;
import dev.parley.testing.SseEvents;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A visitor's question that means the same as a stored one gets the stored answer (no model call, counted by the fake
 * OpenAI server), marked {@code source: "answer"} in the reply, the stream and the conversation log; unrelated
 * questions go to the model; in mode {@code context} the stored answer is the model's first passage.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class AnswerMatchingTest {

  static final String QUESTION = "How long do I have to return a tent?";
  static final String STORED = "You can return a tent within 30 days of delivery, unused and in its bag.";
  /** Phrasings of the stored question a visitor might use: each must get the stored answer. */
  static final List<String> PARAPHRASES = List.of("how many days to return my tent",
      "Until when can I return a tent?", "How many days do I have to return a tent?");
  /** Questions near the topic, or not at all, that the stored answer does not answer: each must go to the model. */
  static final List<String> UNRELATED = List.of("Is the tent covered by a warranty?", "How do I repair a torn tent?",
      "How long does delivery take?", "What is the capital of France?");

  private static TestApp app;

  private static String botWithAnswer(JsonObject settings) {
    String botId = Await.result(app.createBot(new JsonObject().put("name", "Outdoor shop").put("provider", "openai")
        .put("api_key", "sk-test-stored-answers-0123456789")
        .put("rag", new JsonObject().put("enabled", false)).put("answers", settings))).getString("id");
    HttpResponse<Buffer> stored = Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/answers")
        .sendJsonObject(AnswersApiTest.answer(QUESTION, STORED, "tent return policy")));
    assertThat(stored.statusCode()).isEqualTo(201);
    return botId;
  }

  private static JsonObject chat(String botId, String message) {
    HttpResponse<Buffer> reply = Await.result(app.chat(botId, new JsonObject().put("message", message)));
    assertThat(reply.statusCode()).as(reply.bodyAsString()).isEqualTo(200);
    return reply.bodyAsJsonObject();
  }

  @Test
  void paraphrases_get_the_stored_answer_without_a_model_call_and_unrelated_questions_go_to_the_model() {
    String botId = botWithAnswer(new JsonObject());
    app.openai.answerWith("The model's own answer.");
    for (String paraphrase : PARAPHRASES) {
      int calls = app.openai.requests().size();
      JsonObject reply = chat(botId, paraphrase);
      assertThat(reply.getString("response")).as(paraphrase).isEqualTo(STORED);
      assertThat(reply.getString("source")).isEqualTo("answer");
      assertThat(app.openai.requests()).as(paraphrase).hasSize(calls);
    }
    for (String question : UNRELATED) {
      int calls = app.openai.requests().size();
      JsonObject reply = chat(botId, question);
      assertThat(reply.getString("response")).as(question).isEqualTo("The model's own answer.");
      assertThat(reply.containsKey("source")).isFalse();
      assertThat(app.openai.requests()).as(question).hasSize(calls + 1);
    }
  }

  @Test
  void a_stored_answer_is_marked_in_the_conversation_log() {
    String botId = botWithAnswer(new JsonObject());
    String answerId = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/answers").send())
        .bodyAsJsonObject().getJsonArray("answers").getJsonObject(0).getString("id");
    chat(botId, PARAPHRASES.get(0));
    JsonArray conversations = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations").send())
        .bodyAsJsonObject().getJsonArray("conversations");
    JsonObject log = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations/"
        + conversations.getJsonObject(0).getString("id")).send()).bodyAsJsonObject();
    JsonObject answer = log.getJsonArray("messages").getJsonObject(1);
    assertThat(answer.getString("content")).isEqualTo(STORED);
    assertThat(answer.getString("provider")).isEqualTo("answer");
    assertThat(answer.getString("model")).isEqualTo(answerId);
  }

  @Test
  void a_streamed_stored_answer_comes_as_one_delta_and_done_says_its_source() {
    String botId = botWithAnswer(new JsonObject());
    int calls = app.openai.requests().size();
    HttpResponse<Buffer> response = Await.result(app.client.post("/api/chat/" + botId)
        .putHeader("Accept", "text/event-stream").sendJsonObject(new JsonObject().put("message", PARAPHRASES.get(1))));
    SseEvents events = SseEvents.parse(response.bodyAsString());
    assertThat(events.deltaText()).isEqualTo(STORED);
    assertThat(events.first("done").getString("source")).isEqualTo("answer");
    assertThat(app.openai.requests()).hasSize(calls);
  }

  @Test
  void in_context_mode_the_stored_answer_is_the_models_first_passage() {
    String botId = botWithAnswer(new JsonObject().put("mode", "context"));
    app.openai.answerWith("Thirty days, says the shop.");
    int calls = app.openai.requests().size();
    JsonObject reply = chat(botId, PARAPHRASES.get(2));
    assertThat(reply.getString("response")).isEqualTo("Thirty days, says the shop.");
    assertThat(reply.containsKey("source")).isFalse();
    assertThat(app.openai.requests()).hasSize(calls + 1);
    String system = app.openai.requests().get(calls).getJsonArray("messages").getJsonObject(0).getString("content");
    assertThat(system).contains("[1] Stored answer — " + QUESTION + "\n" + STORED);
  }

  @Test
  void a_bot_threshold_of_one_matches_nothing_but_the_exact_question_and_a_changed_question_matches_at_once() {
    String botId = botWithAnswer(new JsonObject().put("threshold", 0.999));
    app.openai.answerWith("From the model.");
    assertThat(chat(botId, PARAPHRASES.get(0)).getString("response")).isEqualTo("From the model.");
    assertThat(chat(botId, QUESTION).getString("response")).isEqualTo(STORED);
    JsonObject stored = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/answers").send())
        .bodyAsJsonObject().getJsonArray("answers").getJsonObject(0);
    Await.result(app.admin(HttpMethod.PUT, "/api/bots/" + botId + "/answers/" + stored.getString("id"))
        .sendJsonObject(AnswersApiTest.answer("Do you ship to Canada?", "Yes, in 5 days.")));
    assertThat(chat(botId, QUESTION).getString("response")).isEqualTo("From the model.");
    assertThat(chat(botId, "Do you ship to Canada?").getString("response")).isEqualTo("Yes, in 5 days.");
  }

  @Test
  void bad_answer_settings_are_422_naming_the_field() {
    for (JsonObject bad : List.of(new JsonObject().put("mode", "sometimes"), new JsonObject().put("threshold", 1.5),
        new JsonObject().put("threshold", "high"), new JsonObject().put("other", 1))) {
      HttpResponse<Buffer> refused = Await.result(app.admin(HttpMethod.POST, "/api/bots")
          .sendJsonObject(new JsonObject().put("name", "x").put("answers", bad)));
      assertThat(refused.statusCode()).as(bad.encode()).isEqualTo(422);
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("field")).startsWith("answers.");
    }
    JsonObject made = Await.result(app.createBot(new JsonObject().put("name", "defaults")));
    assertThat(made.getJsonObject("answers")).isEqualTo(new JsonObject().put("mode", "direct").put("threshold", 0.82));
  }

  @Test
  void the_openai_compatible_api_gives_stored_answers_too() {
    String botId = botWithAnswer(new JsonObject());
    String key = new BotKeys(app).key(botId);
    int calls = app.openai.requests().size();
    HttpResponse<Buffer> response = Await.result(new BotKeys(app).with(key, HttpMethod.POST, "/v1/chat/completions")
        .sendJsonObject(new JsonObject().put("model", botId).put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", PARAPHRASES.get(0))))));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content")).isEqualTo(STORED);
    assertThat(app.openai.requests()).hasSize(calls);
  }
}
