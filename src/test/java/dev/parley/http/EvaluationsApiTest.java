package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.parley.testing.Await;
import dev.parley.testing.EvaluationRuns;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/bots/{id}/evaluations}: a run of six questions over three documents with the extractive provider
 * completes in the background, and its recall@k and MRR match a count made here from the ranks the retrieval preview
 * gives for the same questions; CSV input; validation; refusals; nothing is stored as a conversation.
 */
@ParleyTest
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class EvaluationsApiTest {

  static TestApp app;
  static String botId;

  static final String[][] DOCUMENTS = {
      {"returns.md", "# Returns\n\n## Return window\n\nYou can return any item within 60 days of delivery for a full "
          + "refund. Tents must be dry and packed in their bag.\n\n## Refunds\n\nRefunds reach your card within 5 "
          + "working days of the return arriving at our warehouse.\n"},
      {"tent-warranty.md", "# Tent warranty\n\n## What the warranty covers\n\nCairn tents carry a 5-year warranty "
          + "against defects in poles, zips and seams. The warranty does not cover wear, UV damage or misuse.\n"},
      {"stove-repairs.md", "# Stove repairs\n\n## Sending a stove for repair\n\nEmber stoves are repaired at our "
          + "workshop in Kendal. Post the stove with its burner head; a repair costs £25 plus parts.\n"}};

  /** question, expected document, expected answer text, answerable. */
  static final Object[][] QUESTIONS = {
      {"How many days do I have to send an item back?", "returns.md", "60 days", true},
      {"When will my refund reach my card?", "returns", "5 working days", true},
      {"Does the tent warranty cover broken zips?", "tent-warranty.md", "5-year", true},
      {"How much does a stove repair cost?", "stove-repairs.md", "£25", true},
      {"Do you sell gift cards?", null, null, false},
      {"Do you have a shop in Leeds?", null, null, false}};

  @BeforeAll
  static void documents() {
    botId = Await.result(Knowledge.bot(app, new JsonObject().put("provider", "extractive")
        .put("rag", new JsonObject().put("enabled", true).put("top_k", 5)))).getString("id");
    for (String[] doc : DOCUMENTS) {
      JsonObject added = Await.result(Knowledge.addText(app, botId, doc[0], doc[1]));
      assertThat(Await.result(Knowledge.settled(app, botId, added.getString("id"))).getString("status")).isEqualTo("ready");
    }
  }

  private static JsonArray questions() {
    JsonArray list = new JsonArray();
    for (Object[] q : QUESTIONS) {
      list.add(new JsonObject().put("question", q[0]).put("expected_document", q[1])
          .put("expected_answer_contains", q[2]).put("answerable", q[3]));
    }
    return list;
  }

  private static HttpResponse<Buffer> post(String type, Buffer body) {
    return Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/evaluations").putHeader("Content-Type", type)
        .sendBuffer(body));
  }

  static JsonObject finished(String evalId) {
    return EvaluationRuns.finished(app, botId, evalId);
  }

  /** The rank (1-based) of the document in the retrieval preview of the question, 0 when it is not there. */
  private static int previewRank(String question, String document) {
    JsonArray results = Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/search")
        .sendJsonObject(new JsonObject().put("query", question))).bodyAsJsonObject().getJsonArray("results");
    for (int i = 0; i < results.size(); i++) {
      String name = results.getJsonObject(i).getString("document_name");
      if (name.equals(document) || name.equals(document + ".md")) {
        return i + 1;
      }
    }
    return 0;
  }

  private static boolean previewAbstains(String question) {
    return Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/search")
        .sendJsonObject(new JsonObject().put("query", question))).bodyAsJsonObject().getBoolean("nothing_found");
  }

  @Test
  void a_run_completes_and_its_measures_match_a_count_of_the_preview_ranks() {
    long conversationsBefore = conversations();
    HttpResponse<Buffer> started = post("application/json", questions().toBuffer());
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    String evalId = started.bodyAsJsonObject().getString("eval_id");
    assertThat(started.getHeader("Location")).isEqualTo("/api/bots/" + botId + "/evaluations/" + evalId);
    JsonObject run = finished(evalId);
    assertThat(run.getString("status")).as(run.encodePrettily()).isEqualTo("completed");
    assertThat(run.getInteger("done_count")).isEqualTo(6);

    // the count by hand: ranks of the expected documents in the retrieval preview
    int at1 = 0;
    int at5 = 0;
    double reciprocal = 0;
    JsonArray rows = run.getJsonArray("results");
    for (int i = 0; i < 4; i++) {
      int rank = previewRank((String) QUESTIONS[i][0], (String) QUESTIONS[i][1]);
      at1 += rank == 1 ? 1 : 0;
      at5 += rank >= 1 && rank <= 5 ? 1 : 0;
      reciprocal += rank == 0 ? 0 : 1.0 / rank;
      assertThat(rows.getJsonObject(i).getInteger("rank")).as("question %d", i + 1).isEqualTo(rank == 0 ? null : rank);
    }
    int abstaining = (previewAbstains((String) QUESTIONS[4][0]) ? 1 : 0) + (previewAbstains((String) QUESTIONS[5][0]) ? 1 : 0);
    JsonObject summary = run.getJsonObject("summary");
    String shown = run.encodePrettily();
    assertThat(at5).as("the documents hold every answer").isEqualTo(4);
    assertThat(summary.getInteger("ranked")).isEqualTo(4);
    assertThat(summary.getDouble("recall_at_1")).as(shown).isCloseTo(at1 / 4.0, within(1e-4));
    assertThat(summary.getDouble("recall_at_5")).as(shown).isCloseTo(at5 / 4.0, within(1e-4));
    assertThat(summary.getDouble("mrr")).as(shown).isCloseTo(reciprocal / 4, within(1e-4));
    assertThat(summary.getInteger("unanswerable")).isEqualTo(2);
    assertThat(summary.getDouble("abstention_rate")).as(shown).isCloseTo(abstaining / 2.0, within(1e-4));
    // the answers that hold the expected text, counted from the rows
    long contained = rows.stream().filter(r -> Boolean.TRUE.equals(((JsonObject) r).getValue("contains"))).count();
    assertThat(summary.getInteger("contains_checked")).isEqualTo(4);
    assertThat(summary.getDouble("answer_contains_rate")).isCloseTo(contained / 4.0, within(1e-4));
    assertThat(contained).as("the extractive answers quote the documents: " + shown).isGreaterThanOrEqualTo(3);
    assertThat(summary.getLong("latency_p50_ms")).isNotNull().isLessThanOrEqualTo(summary.getLong("latency_p95_ms"));
    JsonObject settings = run.getJsonObject("settings");
    assertThat(settings.getString("provider")).isEqualTo("extractive");
    assertThat(settings.getInteger("documents")).isEqualTo(3);
    assertThat(settings.getInteger("top_k")).isEqualTo(5);

    assertThat(conversations()).as("an evaluation stores no conversation").isEqualTo(conversationsBefore);
    JsonArray listed = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/evaluations").send())
        .bodyAsJsonObject().getJsonArray("evaluations");
    assertThat(listed.stream().map(r -> ((JsonObject) r).getString("eval_id")).toList()).contains(evalId);
    assertThat(listed.getJsonObject(0).containsKey("results")).isFalse();
  }

  @Test
  void csv_questions_run_with_their_columns_in_any_order() {
    String csv = "answerable,question,expected_document\r\n"
        + "yes,\"How much does a stove repair cost, roughly?\",stove-repairs.md\r\n"
        + "no,Do you sell gift cards?,\r\n";
    HttpResponse<Buffer> started = post("text/csv; charset=utf-8", Buffer.buffer(csv));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    assertThat(started.bodyAsJsonObject().getInteger("question_count")).isEqualTo(2);
    JsonObject run = finished(started.bodyAsJsonObject().getString("eval_id"));
    assertThat(run.getString("status")).isEqualTo("completed");
    JsonArray rows = run.getJsonArray("results");
    assertThat(rows.getJsonObject(0).getString("question")).isEqualTo("How much does a stove repair cost, roughly?");
    assertThat(rows.getJsonObject(0).getString("expected_document")).isEqualTo("stove-repairs.md");
    assertThat(rows.getJsonObject(1).getBoolean("answerable")).isFalse();
    assertThat(run.getJsonObject("summary").getInteger("ranked")).isEqualTo(1);
  }

  @Test
  void bad_questions_are_refused_whole_and_nothing_is_stored() {
    int before = runs();
    Object[][] bad = {
        {"application/json", "[]", "questions"},
        {"application/json", "[{\"question\": \"\"}]", "questions[0].question"},
        {"application/json", "[{\"question\": \"ok?\"}, {\"question\": 7}]", "questions[1].question"},
        {"application/json", "[{\"question\": \"ok?\", \"answerable\": \"maybe\"}]", "questions[0].answerable"},
        {"application/json", "[{\"question\": \"ok?\", \"answerable\": false, \"expected_document\": \"a.md\"}]",
            "questions[0].answerable"},
        {"application/json", "{\"questions\": \"what?\"}", "questions"},
        {"text/csv", "expected_document\na.md\n", "questions"},
        {"text/csv", "question,answerable\nok?,perhaps\n", "questions[0].answerable"},
        {"text/csv", "question\n\"never closed\n", "questions"}};
    for (Object[] row : bad) {
      HttpResponse<Buffer> response = post((String) row[0], Buffer.buffer((String) row[1]));
      assertThat(response.statusCode()).as((String) row[1]).isEqualTo(422);
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("field")).as((String) row[1])
          .isEqualTo(row[2]);
    }
    StringBuilder many = new StringBuilder("question\n");
    for (int i = 0; i < 501; i++) {
      many.append("Question number ").append(i).append("?\n");
    }
    assertThat(post("text/csv", Buffer.buffer(many.toString())).statusCode()).isEqualTo(422);
    String tooLong = "[{\"question\": \"" + "x".repeat(2_001) + "\"}]";
    assertThat(post("application/json", Buffer.buffer(tooLong)).statusCode()).isEqualTo(422);
    assertThat(post("text/plain", Buffer.buffer("question\nok?\n")).statusCode()).isEqualTo(415);
    assertThat(post("application/json", Buffer.buffer("[{")).statusCode()).isEqualTo(400);
    assertThat(runs()).isEqualTo(before);
  }

  @Test
  void viewers_read_runs_but_only_editors_and_up_start_them_and_other_bots_are_not_there() {
    Operators people = new Operators(app);
    String viewer = people.token(people.person("viewer", new JsonArray().add(botId)), "evals-viewer");
    String path = "/api/bots/" + botId + "/evaluations";
    assertThat(Await.result(people.bearer(viewer, HttpMethod.GET, path).send()).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> refused = Await.result(people.bearer(viewer, HttpMethod.POST, path)
        .sendJsonObject(new JsonObject().put("questions", questions())));
    assertThat(refused.statusCode()).isEqualTo(403);
    String agent = people.token(people.person("agent", new JsonArray().add(botId)), "evals-agent");
    assertThat(Await.result(people.bearer(agent, HttpMethod.GET, path).send()).statusCode()).isEqualTo(403);
    String otherBot = Await.result(Knowledge.bot(app, new JsonObject().put("provider", "extractive"))).getString("id");
    String elsewhere = people.token(people.person("editor", new JsonArray().add(otherBot)), "evals-elsewhere");
    assertThat(Await.result(people.bearer(elsewhere, HttpMethod.GET, path).send()).statusCode()).isEqualTo(404);
    assertThat(Await.result(app.client.get(path).send()).statusCode()).isEqualTo(401);
    assertThat(Await.result(app.admin(HttpMethod.GET, path + "/" + java.util.UUID.randomUUID()).send()).statusCode())
        .isEqualTo(404);
    assertThat(Await.result(app.admin(HttpMethod.POST, "/api/bots/" + java.util.UUID.randomUUID() + "/evaluations")
        .sendJsonObject(new JsonObject().put("questions", questions()))).statusCode()).isEqualTo(404);
  }

  private static long conversations() {
    return Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations").send())
        .bodyAsJsonObject().getLong("total");
  }

  private static int runs() {
    return Await.result(app.admin(HttpMethod.GET, "/api/bots/" + botId + "/evaluations").send())
        .bodyAsJsonObject().getJsonArray("evaluations").size();
  }
}
