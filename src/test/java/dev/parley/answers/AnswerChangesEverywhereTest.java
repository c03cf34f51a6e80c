package dev.parley.answers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Bus;
import dev.parley.common.RagClient;
import dev.parley.common.Timeouts;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bot's stored answers are matched by whichever rag instance takes the request (two here, as on two nodes): a
 * change made through one shows on the other at its next match, where the other kept its own copy of the answers.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class AnswerChangesEverywhereTest {

  private static final String QUESTION = "How long do I have to return a tent?";
  /** Enough matches that both instances (the event bus takes turns between them) answer several. */
  private static final int MATCHES = 6;

  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("rag", new JsonObject().put("instances", 2));
  }

  @Test
  void a_replaced_and_then_a_deleted_answer_is_what_every_instance_matches_next() {
    String botId = Await.result(app.createBot(new JsonObject().put("name", "Two instances"))).getString("id");
    HttpResponse<Buffer> created = Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/answers")
        .sendJsonObject(AnswersApiTest.answer(QUESTION, "30 days.")));
    assertThat(created.statusCode()).isEqualTo(201);
    String answerId = created.bodyAsJsonObject().getString("id");
    for (int i = 0; i < MATCHES; i++) {
      assertThat(matched(botId)).as("match %d, before the change", i).isEqualTo("30 days.");
    }

    assertThat(Await.result(app.admin(HttpMethod.PUT, "/api/bots/" + botId + "/answers/" + answerId)
        .sendJsonObject(AnswersApiTest.answer(QUESTION, "60 days now."))).statusCode()).isEqualTo(200);
    for (int i = 0; i < MATCHES; i++) {
      assertThat(matched(botId)).as("match %d, after the replacement", i).isEqualTo("60 days now.");
    }

    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/bots/" + botId + "/answers/" + answerId).send())
        .statusCode()).isEqualTo(204);
    for (int i = 0; i < MATCHES; i++) {
      assertThat(matched(botId)).as("match %d, after the deletion", i).isNull();
    }
  }

  /** The answer a match of the question finds now, or null. */
  private static String matched(String botId) {
    RagClient rag = new RagClient(new Bus(app.vertx), new Timeouts(5_000, 5_000, 5_000, 5_000, 0));
    JsonObject match = Await.result(rag.matchAnswer("rid-everywhere", botId, QUESTION, 0.82));
    return match == null ? null : match.getString("answer");
  }
}
