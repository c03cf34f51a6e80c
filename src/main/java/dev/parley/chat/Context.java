package dev.parley.chat;

import dev.parley.common.Addresses;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.MemoryClient;
import dev.parley.common.ParleyException;
import dev.parley.common.PiiRedactor;
import dev.parley.common.RagClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the model answers from: the session's last {@code history_limit} messages (of those a stateless caller sent,
 * {@link Caller}) and, when the bot has retrieval
 * enabled, the knowledge-base passages for the message, fetched together. A failed history fails the turn.
 * Retrieval never does: on a failure (or no RAG node) the model answers without context, and the failure is
 * stored with the visitor's message ({@code retrieval_error}), counted in {@code parley.retrieval.failures} and
 * logged. When the bot's documents do not answer the message (retrieval abstained: {@code nothing_found}), the turn
 * says so, and the model is told. For a bot that redacts what the model is sent, the history is redacted too (messages stored before the
 * setting was on were not). Skipped when the turn already has its answer.
 *
 * <p>With retrieval on, the bot's stored answers are matched in the search's request ({@link StoredAnswer} does it
 * alone otherwise): a match in mode {@code direct} is the turn's answer (the history is not used, and its failure
 * does not fail the turn); in mode {@code context} it is the first passage, before what retrieval found.
 */
final class Context implements Step {

  private static final Logger LOG = LoggerFactory.getLogger(Context.class);

  private record Found(JsonArray passages, String error, boolean nothingFound, JsonObject match) {
  }

  private final MemoryClient memory;
  private final RagClient rag;

  Context(MemoryClient memory, RagClient rag) {
    this.memory = memory;
    this.rag = rag;
  }

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    if (turn.answer() != null) {
      return Future.succeededFuture(turn);
    }
    Future<JsonArray> history = turn.caller().stateless() ? Future.succeededFuture(lastOf(turn.caller().history(),
        turn.historyLimit())) : memory.history(turn.requestId(), turn.botId(), turn.sessionId(), turn.historyLimit());
    Future<Found> found = retrieve(turn);
    return found.compose(f -> {
      if (f.match() != null && StoredAnswer.matching(turn).getBoolean(RagClient.DIRECT)) {
        return Future.succeededFuture(StoredAnswer.answered(turn, f.match()));
      }
      JsonArray first = f.match() != null ? new JsonArray().add(StoredAnswer.passage(f.match())) : turn.passages();
      return history.map(h -> turn.withContext(turn.redaction().sentToModel() ? PiiRedactor.redactMessages(h) : h,
          before(first, f.passages()), f.error(), f.nothingFound() && first.isEmpty()));
    });
  }

  /** What a step before put first (a stored answer, {@link StoredAnswer}), then what retrieval found. */
  private static JsonArray before(JsonArray first, JsonArray found) {
    return first.isEmpty() ? found : first.copy().addAll(found);
  }

  /** The last {@code limit} messages a stateless caller sent, as memory would have kept them. */
  private static JsonArray lastOf(JsonArray messages, int limit) {
    JsonArray last = new JsonArray();
    for (int i = Math.max(0, messages.size() - Math.max(0, limit)); i < messages.size(); i++) {
      last.add(messages.getValue(i));
    }
    return last;
  }

  private Future<Found> retrieve(Turn turn) {
    if (!turn.ragEnabled()) {
      return Future.succeededFuture(new Found(new JsonArray(), null, false, null));
    }
    return rag.turnSearch(turn.requestId(), turn.botId(), turn.message(), turn.topK(), turn.minScore(),
            StoredAnswer.matching(turn))
        .map(r -> new Found(r.getJsonArray(Fields.RESULTS, new JsonArray()), null, r.getBoolean(Fields.NOTHING_FOUND,
            false), r.getValue(RagClient.ANSWER_MATCH) instanceof JsonObject match ? match : null))
        .recover(failure -> {
          ParleyException error = Failures.safe(failure, Addresses.RAG_SEARCH);
          LOG.warn("[{}] Retrieval for bot {} failed ({} {}); answering without knowledge-base context",
              turn.requestId(), turn.botId(), error.status(), error.code());
          return Future.succeededFuture(new Found(new JsonArray(), error.code(), false, null));
        });
  }
}
