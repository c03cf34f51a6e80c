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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A rag instance that missed the news of a change (no event reached it: here the row is changed behind the API) reads a
 * bot's stored answers again once they are {@code rag.answers.refresh_ms} old.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AnswerRefreshTest {

  private static final String QUESTION = "How long do I have to return a tent?";

  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("rag", new JsonObject().put("answers", new JsonObject().put("refresh_ms", 1_000)));
  }

  @Test
  void answers_changed_without_an_event_are_matched_once_the_read_is_older_than_the_refresh() throws Exception {
    String botId = Await.result(app.createBot(new JsonObject().put("name", "Refreshed"))).getString("id");
    HttpResponse<Buffer> created = Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/answers")
        .sendJsonObject(AnswersApiTest.answer(QUESTION, "30 days.")));
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(matched(botId)).isEqualTo("30 days.");

    try (Connection db = app.jdbc();
        PreparedStatement change = db.prepareStatement("UPDATE bot_answers SET answer = ? WHERE id = ?")) {
      change.setString(1, "45 days, changed behind the API.");
      change.setString(2, created.bodyAsJsonObject().getString("id"));
      assertThat(change.executeUpdate()).isEqualTo(1);
    }
    long deadline = System.currentTimeMillis() + 15_000;
    String now = matched(botId);
    while (!"45 days, changed behind the API.".equals(now) && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      now = matched(botId);
    }
    assertThat(now).as("the match once the answers were read again").isEqualTo("45 days, changed behind the API.");
  }

  private static String matched(String botId) {
    RagClient rag = new RagClient(new Bus(app.vertx), new Timeouts(5_000, 5_000, 5_000, 5_000, 0));
    JsonObject match = Await.result(rag.matchAnswer("rid-refresh", botId, QUESTION, 0.82));
    return match == null ? null : match.getString("answer");
  }
}
