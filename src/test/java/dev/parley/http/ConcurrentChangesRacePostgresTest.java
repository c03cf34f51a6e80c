package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.LinedUp;
import dev.parley.testing.OnPostgres;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two changes sent at once that each decide what to write from what they read, raced on PostgreSQL (READ COMMITTED):
 * a user's or a bot's change merges its fields into the record (a bot's is checked as a whole) and writes the whole
 * record back; a CSV import of stored answers updates the answers whose question is stored and adds the others. Lined
 * up ({@link LinedUp}) so that both read before either writes, neither may undo or repeat the other: a change keeps
 * the fields it leaves out as they are, the two together pass the checks each passed alone, and an import finds what
 * the other added. (SQLite's writers run one at a time.)
 */
@ParleyTest
@OnPostgres
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ConcurrentChangesRacePostgresTest {

  private static TestApp app;

  @Test
  void a_user_disabled_while_renamed_at_once_stays_disabled_and_takes_the_name() throws Exception {
    String userId = new Operators(app).invite(Operators.email("raced"), "editor", null).getString("id");
    List<JsonObject> patches = List.of(new JsonObject().put("disabled", true), new JsonObject().put("name", "Renamed"));
    assertAllApplied(LinedUp.on(app, "users", 2, i -> app.admin(HttpMethod.PUT, "/api/users/" + userId)
        .sendJsonObject(patches.get(i))));
    JsonObject user = Await.result(app.admin(HttpMethod.GET, "/api/users/" + userId).send()).bodyAsJsonObject();
    assertThat(user.getBoolean("disabled")).as("disabled").isTrue();
    assertThat(user.getString("name")).isEqualTo("Renamed");
  }

  @Test
  void a_bot_given_a_prompt_and_a_temperature_at_once_keeps_both() throws Exception {
    String botId = Await.result(app.createBot(new JsonObject().put("name", "raced"))).getString("id");
    List<JsonObject> patches = List.of(new JsonObject().put("prompt", "Answer in French."),
        new JsonObject().put("temperature", 0.1));
    assertAllApplied(LinedUp.on(app, "bots", 2, i -> app.admin(HttpMethod.PUT, "/api/bots/" + botId)
        .sendJsonObject(patches.get(i))));
    JsonObject bot = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId).send()).bodyAsJsonObject();
    assertThat(bot.getString("prompt")).isEqualTo("Answer in French.");
    assertThat(bot.getDouble("temperature")).isEqualTo(0.1);
  }

  @Test
  void a_daily_cost_budget_and_a_model_without_a_price_sent_at_once_are_not_both_saved() throws Exception {
    String botId = Await.result(app.createBot(new JsonObject().put("name", "raced").put("provider", "openai")
        .put("model", "gpt-4o-mini"))).getString("id");
    List<JsonObject> patches = List.of(new JsonObject().put("budget", new JsonObject().put("daily_cost", 5)),
        new JsonObject().put("model", "my-local-llama"));
    List<HttpResponse<Buffer>> answers = LinedUp.on(app, "bots", 2, i -> app.admin(HttpMethod.PUT, "/api/bots/" + botId)
        .sendJsonObject(patches.get(i)));
    assertThat(answers.stream().map(HttpResponse::statusCode)).containsExactlyInAnyOrder(200, 422);
    JsonObject bot = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId).send()).bodyAsJsonObject();
    assertThat(bot.getJsonArray("warnings")).as("the stored bot's problems").isEmpty();
  }

  @Test
  void one_csv_of_answers_imported_twice_at_once_stores_each_question_once() throws Exception {
    String botId = Await.result(app.createBot(new JsonObject().put("name", "raced"))).getString("id");
    Buffer csv = Buffer.buffer("question,answer\nDo you ship abroad?,Yes\nWhen are you open?,9 to 5\n");
    assertAllApplied(LinedUp.on(app, "bot_answers", 2, i -> app.admin(HttpMethod.POST, "/api/bots/" + botId
        + "/answers/import").putHeader("Content-Type", "text/csv").sendBuffer(csv)));
    assertThat(Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/answers").send()).bodyAsJsonObject()
        .getJsonArray("answers")).hasSize(2);
  }

  private static void assertAllApplied(List<HttpResponse<Buffer>> answers) {
    for (HttpResponse<Buffer> response : answers) {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    }
  }
}
