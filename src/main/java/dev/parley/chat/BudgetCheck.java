package dev.parley.chat;

import dev.parley.common.Addresses;
import dev.parley.common.Failures;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's daily budget ({@link Budgets}): once it is spent, the turn is answered with the bot's
 * {@code budget.message}, no model is called, and the turn is stored like any other (marked
 * {@code budget_exceeded}). A failed budget lookup lets the turn through: the budget is a cap on spend, not a
 * reason to refuse chats.
 */
final class BudgetCheck implements Step {

  private static final Logger LOG = LoggerFactory.getLogger(BudgetCheck.class);

  private final Budgets budgets;

  BudgetCheck(Budgets budgets) {
    this.budgets = budgets;
  }

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    return budgets.exhausted(turn.requestId(), turn.bot()).transform(over -> {
      if (over.succeeded() && over.result()) {
        return Future.succeededFuture(turn.withAnswer(Answer.given(Budgets.message(turn.bot()), "budget",
            "budget_exceeded")));
      }
      if (over.failed()) {
        LOG.warn("[{}] The daily budget of bot {} could not be checked ({}); the turn goes ahead unchecked",
            turn.requestId(), turn.botId(), Failures.safe(over.cause(), Addresses.MEMORY_USAGE).code());
      }
      return Future.succeededFuture(turn);
    });
  }
}
