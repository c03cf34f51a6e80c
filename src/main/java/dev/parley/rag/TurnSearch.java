package dev.parley.rag;

import dev.parley.common.Addresses;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.LocalKnowledge;
import dev.parley.common.RagClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code parley.rag.search} as a chat turn asks for it: a request that names {@code answers: {threshold, direct}}
 * also has its query matched against the bot's stored answers ({@link StoredAnswers#match}, with the vector the
 * search then uses: the query is embedded once, {@link QueryVectors}) and is answered with {@code answer_match},
 * the match or null. A turn used to ask for the match in a request of its own before it searched. With
 * {@code direct} a match is the turn's whole answer, so the knowledge base is not searched ({@code results} empty).
 * A match that fails is logged and answered as none: the search goes on. Without {@code answers}, the search alone.
 *
 * <p>A search that found nothing for a bot with no ready document and no stored answer lends that to the node
 * ({@link LocalKnowledge}): its next turns are answered without a request until its knowledge changes.
 */
final class TurnSearch {

  private static final Logger LOG = LoggerFactory.getLogger(TurnSearch.class);

  private final KnowledgeBase knowledge;
  private final StoredAnswers answers;
  private final LocalKnowledge local;

  TurnSearch(KnowledgeBase knowledge, StoredAnswers answers, LocalKnowledge local) {
    this.knowledge = knowledge;
    this.answers = answers;
    this.local = local;
  }

  Future<JsonObject> search(JsonObject body) {
    String botId = body.getValue(Fields.BOT_ID) instanceof String id ? id : null;
    if (!Ids.isEntityId(botId)) {
      return knowledge.search(body);
    }
    long ticket = local.ticket();
    return answered(botId, body).onSuccess(found -> {
      if (found.getJsonArray(Fields.RESULTS, new JsonArray()).isEmpty() && found.getValue(RagClient.ANSWER_MATCH) == null) {
        lendIfEmpty(botId, ticket);
      }
    });
  }

  /** Tells the node when the bot has neither a ready document nor a stored answer, as looked at after {@code ticket}. */
  private void lendIfEmpty(String botId, long ticket) {
    // the answers are read only for a bot without documents (a search that abstained on documents stops here)
    knowledge.hasReady(botId).compose(ready -> ready ? Future.succeededFuture(false) : answers.none(botId))
        .onSuccess(empty -> {
          if (empty) {
            local.empty(botId, ticket);
          }
        });
  }

  private Future<JsonObject> answered(String botId, JsonObject body) {
    if (!(body.getValue(Fields.ANSWERS) instanceof JsonObject settings)) {
      return knowledge.search(body);
    }
    double threshold = settings.getValue(Fields.THRESHOLD) instanceof Number n ? n.doubleValue() : 1.0;
    boolean direct = Boolean.TRUE.equals(settings.getValue(RagClient.DIRECT));
    String query = body.getValue(Fields.QUERY) instanceof String q ? q : null;
    return answers.match(botId, query, threshold)
        .map(found -> found.getJsonObject(Fields.MATCH))
        .recover(failure -> {
          LOG.warn("The stored answers of bot {} could not be matched ({}); the search goes on without them", botId,
              Failures.safe(failure, Addresses.RAG_ANSWER_MATCH).code());
          return Future.succeededFuture(null);
        })
        .compose(match -> (direct && match != null
            ? Future.succeededFuture(new JsonObject().put(Fields.RESULTS, new JsonArray()).put(Fields.NOTHING_FOUND, false))
            : knowledge.search(body))
            .map(found -> found.put(RagClient.ANSWER_MATCH, match)));
  }
}
