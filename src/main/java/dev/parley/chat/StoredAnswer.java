package dev.parley.chat;

import dev.parley.common.Addresses;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.RagClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's stored answers (issue 16, {@code parley.rag.answer.match}): when the visitor's message means the same as a
 * stored question (cosine of at least the bot's {@code answers.threshold}), in mode {@code direct} the stored answer is
 * the turn's answer as it is (no model is called; stored with provider {@code answer} and the answer's id as model,
 * replied with {@code source: "answer"}); in mode {@code context} it becomes the first passage the model is given
 * ({@link Context} keeps it before what retrieval finds). A failed match lets the turn go on without it. Skipped when the
 * turn already has its answer, and for a bot with retrieval on: its match comes with the search ({@link Context}, one
 * request to the knowledge base and one embedding of the message instead of two of each).
 */
final class StoredAnswer implements Step {

  private static final Logger LOG = LoggerFactory.getLogger(StoredAnswer.class);
  /** The provider a direct stored answer is stored with, and the reply's {@code source}. */
  static final String SOURCE = "answer";
  /** The least cosine when a bot's settings name none (bot.AnswerSettings has the same default). */
  static final double DEFAULT_THRESHOLD = 0.82;

  private final RagClient rag;

  StoredAnswer(RagClient rag) {
    this.rag = rag;
  }

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    if (turn.answer() != null || turn.ragEnabled()) {
      return Future.succeededFuture(turn);
    }
    JsonObject settings = matching(turn);
    return rag.matchAnswer(turn.requestId(), turn.botId(), turn.message(), settings.getDouble(Fields.THRESHOLD))
        .map(match -> {
          if (match == null) {
            return turn;
          }
          if (!settings.getBoolean(RagClient.DIRECT)) {
            return turn.withContext(turn.history(), new JsonArray().add(passage(match)), null, false);
          }
          return answered(turn, match);
        }).recover(failure -> {
      LOG.warn("[{}] The stored answers of bot {} could not be matched ({}); the turn goes on without them",
          turn.requestId(), turn.botId(), Failures.safe(failure, Addresses.RAG_ANSWER_MATCH).code());
      return Future.succeededFuture(turn);
    });
  }

  /**
   * How the bot's stored answers are matched: {@code {threshold, direct}} (direct: a match is the turn's answer, else
   * the model's first passage), as a search with the stored answers takes it ({@link RagClient#retrieve}).
   */
  static JsonObject matching(Turn turn) {
    JsonObject settings = turn.bot().getValue(Fields.ANSWERS) instanceof JsonObject s ? s : new JsonObject();
    double threshold = settings.getValue(Fields.THRESHOLD) instanceof Number n ? n.doubleValue() : DEFAULT_THRESHOLD;
    return new JsonObject().put(Fields.THRESHOLD, threshold)
        .put(RagClient.DIRECT, !"context".equals(settings.getValue(Fields.MODE)));
  }

  /** The turn answered with the matched stored answer as it is. */
  static Turn answered(Turn turn, JsonObject match) {
    return turn.withAnswer(Answer.stored(match.getString(Fields.ANSWER), match.getString(Fields.ID)));
  }

  /** A matched answer as a passage: the stored question as its heading. */
  static JsonObject passage(JsonObject match) {
    String answer = match.getString(Fields.ANSWER);
    return new JsonObject().putNull(Fields.DOCUMENT_ID).put("document_name", "Stored answer")
        .put("heading", match.getString("question")).put(Fields.TEXT, answer)
        .put("snippet", answer.length() > 200 ? answer.substring(0, 200) : answer)
        .put("score", match.getDouble("score")).put(Fields.ANSWER_ID, match.getString(Fields.ID)).putNull("url");
  }
}
