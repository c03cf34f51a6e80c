package dev.parley.answers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.CsvRows;
import dev.parley.testing.Operators;
import dev.parley.testing.Operators.SignedIn;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A bot's stored answers through the admin API: CRUD, CSV in and out, checks, limits, who may, and the audit. */
@ParleyTest
@io.vertx.junit5.Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class AnswersApiTest {

  static final int MAX_PER_BOT = 5;

  private static TestApp app;
  private static Operators people;

  @ParleyConfig
  static JsonObject config() {
    return Operators.manySignIns().put("rag", new JsonObject().put("answers", new JsonObject()
        .put("max_per_bot", MAX_PER_BOT).put("max_csv_bytes", 20_000)));
  }

  @BeforeAll
  static void people() {
    people = new Operators(app);
  }

  private static String bot() {
    return Await.result(app.createBot(new JsonObject().put("name", "Answers"))).getString("id");
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path, JsonObject body) {
    return Await.result(body == null ? app.admin(method, path).send() : app.admin(method, path).sendJsonObject(body));
  }

  private static HttpResponse<Buffer> importCsv(String botId, String csv) {
    return Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/answers/import")
        .putHeader("Content-Type", "text/csv").sendBuffer(Buffer.buffer(csv)));
  }

  static JsonObject answer(String question, String answer, String... alternatives) {
    return new JsonObject().put("question", question).put("answer", answer)
        .put("alt_questions", new JsonArray(List.of((Object[]) alternatives)));
  }

  @Test
  void an_answer_is_created_read_listed_replaced_and_deleted() {
    String botId = bot();
    String path = "/api/bots/" + botId + "/answers";
    HttpResponse<Buffer> created = send(HttpMethod.POST, path,
        answer("  How long do I have to return a tent? ", "30 days from delivery.", "Tent return window", "", "tent return window"));
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject stored = created.bodyAsJsonObject();
    String id = stored.getString("id");
    assertThat(created.getHeader("Location")).isEqualTo(path + "/" + id);
    assertThat(stored.getString("question")).isEqualTo("How long do I have to return a tent?");
    assertThat(stored.getJsonArray("alt_questions")).containsExactly("Tent return window");

    assertThat(send(HttpMethod.GET, path + "/" + id, null).bodyAsJsonObject()).isEqualTo(stored);
    JsonObject listed = send(HttpMethod.GET, path, null).bodyAsJsonObject();
    assertThat(listed.getJsonArray("answers")).containsExactly(stored);
    assertThat(listed.getInteger("max_answers")).isEqualTo(MAX_PER_BOT);

    HttpResponse<Buffer> replaced = send(HttpMethod.PUT, path + "/" + id, answer("Return a tent?", "Within 60 days."));
    assertThat(replaced.statusCode()).isEqualTo(200);
    assertThat(replaced.bodyAsJsonObject().getString("answer")).isEqualTo("Within 60 days.");
    assertThat(replaced.bodyAsJsonObject().getJsonArray("alt_questions")).isEmpty();
    assertThat(replaced.bodyAsJsonObject().getLong("created_at")).isEqualTo(stored.getLong("created_at"));

    assertThat(send(HttpMethod.DELETE, path + "/" + id, null).statusCode()).isEqualTo(204);
    assertThat(send(HttpMethod.GET, path + "/" + id, null).statusCode()).isEqualTo(404);
    assertThat(send(HttpMethod.DELETE, path + "/" + id, null).statusCode()).isEqualTo(404);
    assertThat(send(HttpMethod.PUT, path + "/" + id, answer("q", "a")).statusCode()).isEqualTo(404);
  }

  @Test
  void bad_answers_are_422_naming_the_field_and_nothing_is_stored() {
    String botId = bot();
    String path = "/api/bots/" + botId + "/answers";
    Object[][] cases = {
        {new JsonObject().put("answer", "a"), "question"},
        {answer(" ", "a"), "question"},
        {answer("x".repeat(501), "a"), "question"},
        {answer("q", ""), "answer"},
        {answer("q", "a".repeat(8_001)), "answer"},
        {new JsonObject().put("question", 7).put("answer", "a"), "question"},
        {answer("q", "a").put("alt_questions", "not a list"), "alt_questions"},
        {answer("q", "a").put("alt_questions", new JsonArray().add(3)), "alt_questions"},
        {answer("q", "a", "y".repeat(501)), "alt_questions"},
        {answer("q", "a").put("alt_questions", many(21)), "alt_questions"},
        {answer("q", "a").put("mode", "direct"), "mode"}};
    for (Object[] c : cases) {
      HttpResponse<Buffer> refused = send(HttpMethod.POST, path, (JsonObject) c[0]);
      assertThat(refused.statusCode()).as(c[0].toString()).isEqualTo(422);
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("field")).as(c[0].toString())
          .isEqualTo(c[1]);
    }
    assertThat(send(HttpMethod.GET, path, null).bodyAsJsonObject().getJsonArray("answers")).isEmpty();
    assertThat(Await.result(app.admin(HttpMethod.POST, path).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("[1]"))).statusCode()).isIn(400, 422);
    assertThat(send(HttpMethod.POST, "/api/bots/bot_missingmissingmissin/answers", answer("q", "a")).statusCode())
        .isEqualTo(404);
    assertThat(send(HttpMethod.GET, path + "/ans_nosuchanswerxxxxxxxx", null).statusCode()).isEqualTo(404);
  }

  private static JsonArray many(int n) {
    JsonArray list = new JsonArray();
    for (int i = 0; i < n; i++) {
      list.add("question number " + i);
    }
    return list;
  }

  @Test
  void answers_round_trip_through_csv_and_an_import_updates_answers_whose_question_it_has() {
    String botId = bot();
    String path = "/api/bots/" + botId + "/answers";
    send(HttpMethod.POST, path, answer("Do you ship abroad?", "Yes, to the EU, \"quickly\",\nand to the UK.", "International shipping?"));
    send(HttpMethod.POST, path, answer("=1+1 is a formula?", "-it is not | a pipe"));
    HttpResponse<Buffer> exported = send(HttpMethod.GET, path + "/export", null);
    assertThat(exported.statusCode()).isEqualTo(200);
    assertThat(exported.getHeader("Content-Type")).startsWith("text/csv");
    assertThat(exported.getHeader("Content-Disposition")).contains("attachment");
    List<List<String>> rows = CsvRows.parse(exported.bodyAsString());
    assertThat(rows.get(0)).containsExactly("question", "answer", "alt_questions");
    assertThat(rows.get(1)).containsExactly("Do you ship abroad?", "Yes, to the EU, \"quickly\",\nand to the UK.",
        "International shipping?");
    assertThat(rows.get(2).get(0)).isEqualTo("'=1+1 is a formula?");

    String other = bot();
    HttpResponse<Buffer> imported = importCsv(other, exported.bodyAsString());
    assertThat(imported.statusCode()).as(imported.bodyAsString()).isEqualTo(200);
    assertThat(imported.bodyAsJsonObject()).isEqualTo(new JsonObject().put("created", 2).put("updated", 0).put("total", 2));
    JsonArray copied = send(HttpMethod.GET, "/api/bots/" + other + "/answers", null).bodyAsJsonObject().getJsonArray("answers");
    JsonArray original = send(HttpMethod.GET, path, null).bodyAsJsonObject().getJsonArray("answers");
    assertThat(written(copied)).containsExactlyInAnyOrderElementsOf(written(original));

    HttpResponse<Buffer> again = importCsv(other, "answer,question\r\n\"No, only the EU.\",do you SHIP abroad?\r\n"
        + "Open 9-5.,When are you open?\r\n");
    assertThat(again.bodyAsJsonObject()).isEqualTo(new JsonObject().put("created", 1).put("updated", 1).put("total", 3));
    JsonArray now = send(HttpMethod.GET, "/api/bots/" + other + "/answers", null).bodyAsJsonObject().getJsonArray("answers");
    assertThat(now).hasSize(3);
    JsonObject updated = now.stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("question").equals("do you SHIP abroad?")).findFirst().orElseThrow();
    assertThat(updated.getString("answer")).isEqualTo("No, only the EU.");
    assertThat(updated.getJsonArray("alt_questions")).isEmpty();
  }

  /** What was written of each answer: question, answer and alternatives. */
  private static List<JsonObject> written(JsonArray answers) {
    return answers.stream().map(JsonObject.class::cast).map(a -> new JsonObject().put("question", a.getString("question"))
        .put("answer", a.getString("answer")).put("alt_questions", a.getJsonArray("alt_questions"))).toList();
  }

  @Test
  void a_bad_import_is_refused_whole_with_the_line_named() {
    String botId = bot();
    String path = "/api/bots/" + botId + "/answers";
    HttpResponse<Buffer> badRow = importCsv(botId, "question,answer\nGood?,Yes\nNo answer here,\n");
    assertThat(badRow.statusCode()).isEqualTo(422);
    assertThat(badRow.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("answer");
    assertThat(badRow.bodyAsJsonObject().getJsonObject("error").getString("message")).startsWith("row 3:");
    HttpResponse<Buffer> noHeader = importCsv(botId, "Good?,Yes\n");
    assertThat(noHeader.statusCode()).isEqualTo(422);
    assertThat(noHeader.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("csv");
    assertThat(importCsv(botId, "question,answer\n\"open quote,x\n").statusCode()).isEqualTo(422);
    assertThat(Await.result(app.admin(HttpMethod.POST, path + "/import").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{}"))).statusCode()).isEqualTo(415);
    assertThat(importCsv(botId, "question,answer\n" + "q,a\n".repeat(6_000)).statusCode()).isEqualTo(413);
    assertThat(send(HttpMethod.GET, path, null).bodyAsJsonObject().getJsonArray("answers")).isEmpty();
  }

  @Test
  void a_bot_holds_at_most_its_limit_of_answers() {
    String botId = bot();
    String path = "/api/bots/" + botId + "/answers";
    StringBuilder csv = new StringBuilder("question,answer\n");
    for (int i = 0; i < MAX_PER_BOT - 1; i++) {
      csv.append("Question ").append(i).append("?,Answer ").append(i).append('\n');
    }
    assertThat(importCsv(botId, csv.toString()).statusCode()).isEqualTo(200);
    assertThat(importCsv(botId, "question,answer\nOne more?,Yes\nAnd another?,No\n").statusCode()).isEqualTo(409);
    assertThat(send(HttpMethod.POST, path, answer("The last one?", "Yes")).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> over = send(HttpMethod.POST, path, answer("Past the limit?", "Yes"));
    assertThat(over.statusCode()).isEqualTo(409);
    assertThat(over.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("quota_exceeded");
    assertThat(importCsv(botId, "question,answer\nquestion 1?,Changed\n").statusCode()).isEqualTo(200);
    assertThat(send(HttpMethod.GET, path, null).bodyAsJsonObject().getJsonArray("answers")).hasSize(MAX_PER_BOT);
  }

  @Test
  void viewers_read_editors_of_the_bot_write_and_others_are_refused() {
    String botId = bot();
    String path = "/api/bots/" + botId + "/answers";
    String id = send(HttpMethod.POST, path, answer("Hours?", "9 to 5")).bodyAsJsonObject().getString("id");
    assertThat(Await.result(app.client.get(path).send()).statusCode()).isEqualTo(401);

    SignedIn viewer = people.person("viewer", new JsonArray().add(botId));
    assertThat(Await.result(people.as(viewer, HttpMethod.GET, path).send()).statusCode()).isEqualTo(200);
    assertThat(Await.result(people.as(viewer, HttpMethod.GET, path + "/export").send()).statusCode()).isEqualTo(200);
    assertThat(Await.result(people.as(viewer, HttpMethod.POST, path).sendJsonObject(answer("q", "a"))).statusCode())
        .isEqualTo(403);
    assertThat(Await.result(people.as(viewer, HttpMethod.PUT, path + "/" + id).sendJsonObject(answer("q", "a")))
        .statusCode()).isEqualTo(403);
    assertThat(Await.result(people.as(viewer, HttpMethod.DELETE, path + "/" + id).send()).statusCode()).isEqualTo(403);
    assertThat(Await.result(people.as(viewer, HttpMethod.POST, path + "/import").putHeader("Content-Type", "text/csv")
        .sendBuffer(Buffer.buffer("question,answer\nq,a\n"))).statusCode()).isEqualTo(403);

    SignedIn agent = people.person("agent", new JsonArray().add(botId));
    assertThat(Await.result(people.as(agent, HttpMethod.GET, path).send()).statusCode()).isEqualTo(403);
    assertThat(Await.result(people.as(agent, HttpMethod.POST, path).sendJsonObject(answer("q", "a"))).statusCode())
        .isEqualTo(403);

    SignedIn elsewhere = people.person("editor", new JsonArray().add(bot()));
    assertThat(Await.result(people.as(elsewhere, HttpMethod.GET, path).send()).statusCode()).isEqualTo(404);
    assertThat(Await.result(people.as(elsewhere, HttpMethod.DELETE, path + "/" + id).send()).statusCode()).isEqualTo(404);

    SignedIn editor = people.person("editor", new JsonArray().add(botId));
    assertThat(Await.result(people.as(editor, HttpMethod.PUT, path + "/" + id).sendJsonObject(answer("Hours?", "8 to 6")))
        .statusCode()).isEqualTo(200);
    assertThat(send(HttpMethod.GET, path + "/" + id, null).bodyAsJsonObject().getString("answer")).isEqualTo("8 to 6");
    String otherBot = bot();
    assertThat(send(HttpMethod.GET, "/api/bots/" + otherBot + "/answers/" + id, null).statusCode()).isEqualTo(404);
  }

  @Test
  void writes_are_audited_and_a_deleted_bot_takes_its_answers() throws Exception {
    String botId = bot();
    String path = "/api/bots/" + botId + "/answers";
    String id = send(HttpMethod.POST, path, answer("Audited?", "Yes")).bodyAsJsonObject().getString("id");
    send(HttpMethod.PUT, path + "/" + id, answer("Audited again?", "Yes"));
    send(HttpMethod.DELETE, path + "/" + id, null);
    importCsv(botId, "question,answer\nImported?,Yes\n");
    String log = audit();
    for (long end = System.currentTimeMillis() + 10_000; System.currentTimeMillis() < end
        && !(log.contains("answer.create") && log.contains("answer.update") && log.contains("answer.delete")
        && log.contains("answer.import")); ) {
      log = audit();
    }
    assertThat(log).contains("answer.create", "answer.update", "answer.delete", "answer.import", id);
    assertThat(send(HttpMethod.DELETE, "/api/bots/" + botId, null).statusCode()).isEqualTo(204);
    assertThat(app.count("SELECT COUNT(*) FROM bot_answers WHERE bot_id = '" + botId + "'")).isZero();
  }

  private static String audit() {
    return Await.result(app.admin(HttpMethod.GET, "/api/audit?limit=200").send()).bodyAsString();
  }
}
