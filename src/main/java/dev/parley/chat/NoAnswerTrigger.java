package dev.parley.chat;

import dev.parley.common.Addresses;
import dev.parley.common.ConversationClient;
import dev.parley.common.Failures;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code no_answer_turns} trigger: for a bot with handoff enabled, {@code triggers.no_answer_turns} n > 0 and its
 * knowledge base on, each stored model answer counts whether retrieval found anything above the bot's
 * {@code rag.min_score} (a failed search counts neither way); after n turns in a row that found nothing the
 * conversation goes to {@code waiting}. The turn's own answer still reaches the visitor; a failure here is logged only.
 */
final class NoAnswerTrigger implements Step {

  private static final Logger LOG = LoggerFactory.getLogger(NoAnswerTrigger.class);

  private final ConversationClient conversations;

  NoAnswerTrigger(ConversationClient conversations) {
    this.conversations = conversations;
  }

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    int turns = turn.handoff().getJsonObject("triggers", new io.vertx.core.json.JsonObject()).getInteger("no_answer_turns", 0);
    if (!turn.handoffEnabled() || turns <= 0 || !turn.ragEnabled() || turn.stored() == null || turn.retrievalError() != null
        || turn.answer() == null || !turn.answer().fromModel()) {
      return Future.succeededFuture(turn);
    }
    return conversations.noAnswer(turn.requestId(), turn.botId(), turn.sessionId(), !turn.passages().isEmpty(), turns)
        .map(counted -> turn)
        .recover(failure -> {
          LOG.warn("[{}] The no-answer count of bot {} could not be kept ({})", turn.requestId(), turn.botId(),
              Failures.safe(failure, Addresses.CONVERSATION_NO_ANSWER).code());
          return Future.succeededFuture(turn);
        });
  }
}
