package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.reliability.Turns;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lone surrogates ({@code \ud800}, {@code \udc00}) are not text: every JSON body that holds one, in any
 * string or field name, is refused with 400 {@code invalid_text} naming the field, before anything is
 * stored or any model called, instead of turning into {@code ?}. A surrogate pair (an emoji) still passes.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class LoneSurrogatesTest {

  static final String HIGH = "\\ud800";
  static final String LOW = "\\udc00";
  static final String EMOJI = "\\ud83d\\ude00";

  static TestApp app;
  static String botId;

  @BeforeAll
  static void bot(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Unicode").put("api_key", "sk-unicode-0123456789")
        .put("rag", new JsonObject().put("enabled", false))).onComplete(test.succeeding(bot -> {
      botId = bot.getString("id");
      test.completeNow();
    }));
  }

  /** Sends {@code json} as written (escapes and all), as the visitor or, for admin paths, the operator. */
  private static Future<HttpResponse<Buffer>> send(HttpMethod method, String path, String json) {
    return (path.startsWith("/api/bots") ? app.admin(method, path) : app.client.request(method, path))
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(json));
  }

  private static void refused(HttpResponse<Buffer> response, String field) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_text");
    assertThat(error.getString("field")).isEqualTo(field);
  }

  @Test
  void a_chat_message_with_a_lone_high_or_low_surrogate_is_refused_and_nothing_is_stored(VertxTestContext test) {
    int calls = app.openai.requestCount();
    String session = "surrogate-session";
    Future<HttpResponse<Buffer>> high = send(HttpMethod.POST, "/api/chat/" + botId,
        "{\"message\": \"a" + HIGH + "b\", \"session_id\": \"" + session + "\"}");
    Future<HttpResponse<Buffer>> low = send(HttpMethod.POST, "/api/chat/" + botId,
        "{\"message\": \"a" + LOW + "\", \"session_id\": \"" + session + "\", \"stream\": true}");
    // the same surrogate as raw (CESU-8) bytes rather than an escape
    byte[] raw = "{\"message\": \"a???b\"}".getBytes(StandardCharsets.UTF_8);
    raw[14] = (byte) 0xED;
    raw[15] = (byte) 0xA0;
    raw[16] = (byte) 0x80;
    Future<HttpResponse<Buffer>> bytes = app.client.post("/api/chat/" + botId)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(raw));
    Future.all(high, low, bytes).compose(all -> {
      refused(high.result(), "message");
      refused(low.result(), "message");
      refused(bytes.result(), "message");
      assertThat(app.openai.requestCount()).isEqualTo(calls);
      return Turns.session(app, botId, session);
    }).map(messages -> {
      assertThat(messages).isEmpty();
      return messages;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_surrogate_pair_passes_to_the_model_and_the_history(VertxTestContext test) {
    String session = "emoji-session";
    send(HttpMethod.POST, "/api/chat/" + botId, "{\"message\": \"smile " + EMOJI + "\", \"session_id\": \"" + session + "\"}")
        .compose(response -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          assertThat(response.bodyAsJsonObject().getString("response")).isEqualTo("Echo: smile \uD83D\uDE00");
          return Turns.session(app, botId, session);
        }).map(messages -> {
          assertThat(messages.getJsonObject(0).getString("content")).isEqualTo("smile \uD83D\uDE00");
          return messages;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void every_json_route_refuses_lone_surrogates_in_any_field(VertxTestContext test) {
    app.chat(botId, new JsonObject().put("message", "rate me")).compose(answer -> {
      String feedback = "/api/chat/" + botId + "/messages/" + answer.bodyAsJsonObject().getString("message_id") + "/feedback";
      String documents = "/api/bots/" + botId + "/documents";
      List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
      List<String> fields = new ArrayList<>();
      sent.add(send(HttpMethod.POST, feedback, "{\"rating\": \"up\", \"comment\": \"" + HIGH + "\"}"));
      fields.add("comment");
      sent.add(send(HttpMethod.POST, "/api/bots", "{\"name\": \"Bot " + LOW + "\"}"));
      fields.add("name");
      sent.add(send(HttpMethod.PUT, "/api/bots/" + botId, "{\"prompt\": \"Be " + HIGH + " kind\"}"));
      fields.add("prompt");
      sent.add(send(HttpMethod.PUT, "/api/bots/" + botId,
          "{\"widget\": {\"starter_questions\": [\"ok\", \"" + LOW + "\"]}}"));
      fields.add("widget.starter_questions[1]");
      sent.add(send(HttpMethod.POST, documents, "{\"name\": \"Hours\", \"text\": \"open " + HIGH + "\"}"));
      fields.add("text");
      sent.add(send(HttpMethod.POST, documents, "{\"name\": \"Hours " + LOW + "\", \"text\": \"open\"}"));
      fields.add("name");
      sent.add(send(HttpMethod.POST, "/api/bots/" + botId + "/search", "{\"query\": \"" + HIGH + "\"}"));
      fields.add("query");
      sent.add(send(HttpMethod.POST, "/api/chat/" + botId, "{\"message\": \"hi\", \"x" + LOW + "\": 1}"));
      fields.add(null);
      return Future.all(new ArrayList<>(sent)).compose(all -> {
        for (int i = 0; i < sent.size(); i++) {
          refused(sent.get(i).result(), fields.get(i));
        }
        return Future.all(app.admin(HttpMethod.GET, "/api/bots/" + botId).send(),
            app.admin(HttpMethod.GET, documents).send(), Turns.log(app, botId, answer.bodyAsJsonObject().getString("session_id")));
      });
    }).map(after -> {
      HttpResponse<Buffer> bot = after.resultAt(0);
      assertThat(bot.bodyAsJsonObject().getString("prompt")).doesNotContain("?");
      assertThat(bot.bodyAsJsonObject().getJsonObject("widget").getJsonArray("starter_questions")).isEmpty();
      HttpResponse<Buffer> documents = after.resultAt(1);
      assertThat(documents.bodyAsJsonObject().getJsonArray("documents")).isEmpty();
      JsonArray log = after.resultAt(2);
      assertThat(log.getJsonObject(1).getValue("feedback_comment")).isNull();
      return after;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_evaluation_with_a_lone_surrogate_is_refused_before_any_question_is_asked(VertxTestContext test) {
    int calls = app.openai.requestCount();
    String evaluations = "/api/bots/" + botId + "/evaluations";
    send(HttpMethod.POST, evaluations, "{\"questions\": [{\"question\": \"When " + HIGH + " open?\"}]}")
        .compose(response -> {
          refused(response, "questions[0].question");
          return app.admin(HttpMethod.GET, evaluations).send();
        }).map(list -> {
          assertThat(list.bodyAsJsonObject().getJsonArray("evaluations")).isEmpty();
          assertThat(app.openai.requestCount()).isEqualTo(calls);
          return list;
        }).onComplete(test.succeedingThenComplete());
  }
}
