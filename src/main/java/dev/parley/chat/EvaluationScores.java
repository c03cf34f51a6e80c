package dev.parley.chat;

import dev.parley.common.Fields;
import dev.parley.common.UnicodeText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The per-question row of an evaluation and the measures over a run's rows. A question's {@code rank} is the place
 * (1-based) of the first passage the turn gave the model from its expected document (matched by id, name, or name
 * without its extension, ignoring case), null when none did: so recall@5 counts only the bot's {@code top_k}
 * passages. A question {@code abstained} when the turn had no passages (its search found nothing to answer from).
 * Every rate is over the questions it applies to, null when none does.
 */
final class EvaluationScores {

  static final int ANSWER_CHARS = 2_000;

  private EvaluationScores() {
  }

  /** The row of question {@code index} as its turn ended. */
  static JsonObject row(int index, JsonObject question, Turn turn) {
    JsonArray documents = new JsonArray();
    Integer rank = null;
    String expected = question.getString(EvaluationQuestions.EXPECTED_DOCUMENT);
    for (int i = 0; i < turn.passages().size(); i++) {
      JsonObject passage = turn.passages().getJsonObject(i);
      documents.add(passage.getString("document_name"));
      if (rank == null && expected != null && sameDocument(expected, passage)) {
        rank = i + 1;
      }
    }
    Answer answer = turn.answer();
    String content = answer == null || answer.error() != null ? null : answer.content();
    String contains = question.getString(EvaluationQuestions.EXPECTED_CONTAINS);
    JsonObject spent = answer == null || answer.answer() == null ? new JsonObject() : answer.answer();
    JsonObject usage = spent.getJsonObject(Fields.USAGE, new JsonObject());
    String error = answer != null && answer.error() != null ? answer.error().code() : turn.retrievalError();
    JsonObject top = turn.passages().isEmpty() ? null : turn.passages().getJsonObject(0);
    return question.copy()
        .put("index", index)
        .put("documents", documents)
        .put("rank", rank)
        .put(Fields.TOP_SCORE, top == null ? null : top.getDouble("score"))
        .put(Fields.NOTHING_FOUND, turn.nothingFound())
        .put("abstained", turn.passages().isEmpty() && turn.retrievalError() == null)
        .put("answer", content == null || content.length() <= ANSWER_CHARS ? content : UnicodeText.prefix(content, ANSWER_CHARS))
        .put("contains", contains == null || content == null ? null
            : content.toLowerCase(Locale.ROOT).contains(contains.toLowerCase(Locale.ROOT)))
        .put(Fields.LATENCY_MS, turn.latencyMs())
        .put(Fields.ERROR, error)
        .put(Fields.INPUT_TOKENS, usage.getValue(Fields.INPUT_TOKENS) instanceof Number n ? n.longValue() : 0L)
        .put(Fields.OUTPUT_TOKENS, usage.getValue(Fields.OUTPUT_TOKENS) instanceof Number n ? n.longValue() : 0L)
        .put(Fields.COST, spent.getValue(Fields.COST) instanceof Number n ? n.doubleValue() : 0.0);
  }

  /** The row of a question whose turn could not run at all ({@code error}: its code). */
  static JsonObject failedRow(int index, JsonObject question, String error, long latencyMs) {
    return question.copy().put("index", index).put("documents", new JsonArray()).put("rank", null)
        .put(Fields.TOP_SCORE, null).put(Fields.NOTHING_FOUND, false).put("abstained", false).put("answer", null)
        .put("contains", null).put(Fields.LATENCY_MS, latencyMs).put(Fields.ERROR, error)
        .put(Fields.INPUT_TOKENS, 0L).put(Fields.OUTPUT_TOKENS, 0L).put(Fields.COST, 0.0);
  }

  static boolean sameDocument(String expected, JsonObject passage) {
    String name = passage.getString("document_name", "");
    String bare = name.lastIndexOf('.') > 0 ? name.substring(0, name.lastIndexOf('.')) : name;
    return expected.equals(passage.getString(Fields.DOCUMENT_ID)) || expected.equalsIgnoreCase(name)
        || expected.equalsIgnoreCase(bare);
  }

  /**
   * {@code {questions, ranked, recall_at_1, recall_at_5, mrr, contains_checked, answer_contains_rate, unanswerable,
   * abstention_rate, answerable_abstained, errors, latency_p50_ms, latency_p95_ms, input_tokens, output_tokens, cost}}.
   */
  static JsonObject summary(List<JsonObject> rows) {
    int ranked = 0;
    int at1 = 0;
    int at5 = 0;
    double reciprocal = 0;
    int checked = 0;
    int contained = 0;
    int unanswerable = 0;
    int abstained = 0;
    int answerable = 0;
    int answerableAbstained = 0;
    int errors = 0;
    long input = 0;
    long output = 0;
    double cost = 0;
    List<Long> latencies = new ArrayList<>();
    for (JsonObject row : rows) {
      boolean canAnswer = row.getBoolean(EvaluationQuestions.ANSWERABLE, true);
      Integer rank = row.getInteger("rank");
      if (canAnswer && row.getString(EvaluationQuestions.EXPECTED_DOCUMENT) != null) {
        ranked++;
        if (rank != null) {
          at1 += rank == 1 ? 1 : 0;
          at5 += rank <= 5 ? 1 : 0;
          reciprocal += 1.0 / rank;
        }
      }
      if (row.getValue("contains") instanceof Boolean contains) {
        checked++;
        contained += contains ? 1 : 0;
      }
      boolean didAbstain = row.getBoolean("abstained", false);
      if (canAnswer) {
        answerable++;
        answerableAbstained += didAbstain ? 1 : 0;
      } else {
        unanswerable++;
        abstained += didAbstain ? 1 : 0;
      }
      errors += row.getString(Fields.ERROR) != null ? 1 : 0;
      input += row.getLong(Fields.INPUT_TOKENS, 0L);
      output += row.getLong(Fields.OUTPUT_TOKENS, 0L);
      cost += row.getDouble(Fields.COST, 0.0);
      latencies.add(row.getLong(Fields.LATENCY_MS, 0L));
    }
    latencies.sort(null);
    return new JsonObject()
        .put("questions", rows.size())
        .put("ranked", ranked)
        .put("recall_at_1", rate(at1, ranked))
        .put("recall_at_5", rate(at5, ranked))
        .put("mrr", ranked == 0 ? null : round(reciprocal / ranked))
        .put("contains_checked", checked)
        .put("answer_contains_rate", rate(contained, checked))
        .put("unanswerable", unanswerable)
        .put("abstention_rate", rate(abstained, unanswerable))
        .put("answerable_abstained", rate(answerableAbstained, answerable))
        .put("errors", errors)
        .put("latency_p50_ms", percentile(latencies, 50))
        .put("latency_p95_ms", percentile(latencies, 95))
        .put(Fields.INPUT_TOKENS, input)
        .put(Fields.OUTPUT_TOKENS, output)
        .put(Fields.COST, cost);
  }

  private static Double rate(int count, int of) {
    return of == 0 ? null : round((double) count / of);
  }

  private static double round(double value) {
    return Math.round(value * 10_000) / 10_000.0;
  }

  /** The nearest-rank percentile of sorted values, null for none. */
  static Long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return null;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
