package dev.parley.chat;

import dev.parley.common.Clients;
import dev.parley.common.Failures;
import dev.parley.common.ParleyException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.util.List;

/**
 * A chat turn, step by step: limits → redaction (for the model) → budget → history ∥ retrieval → answer → store → provider health →
 * event, then the reply or the error goes to the {@link Delivery}. One pipeline per HTTP verticle instance
 * (its {@link Budgets} cache is used from that event loop only).
 */
public final class ChatPipeline {

  private final List<Step> steps;

  /** The pipeline over one verticle's clients; {@code budgetCacheMs}: how long a bot's spend today is cached. */
  public ChatPipeline(Clients clients, long budgetCacheMs) {
    this(clients, budgetCacheMs, clients.provider().timeoutMs());
  }

  /** The same, with {@code turnBudgetMs}: how long a turn's tool loop may go on asking for tools. */
  public ChatPipeline(Clients clients, long budgetCacheMs, long turnBudgetMs) {
    Budgets budgets = new Budgets(clients.memory(), budgetCacheMs);
    this.steps = List.of(
        new MessageLimits(),
        new RedactPii(),
        new BudgetCheck(budgets),
        new Context(clients.memory(), clients.rag()),
        new ModelAnswer(clients.provider(), clients.tools(), clients.bus().vertx(), turnBudgetMs),
        new StoreTurn(clients.memory(), budgets),
        new ProviderHealth(clients.bots()),
        new PublishEvent(clients.bus().vertx().eventBus()));
  }

  ChatPipeline(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  /** Runs the turn's steps in order and delivers its end; completes with the turn as the last step left it. */
  public Future<Turn> run(Turn turn, Delivery delivery) {
    Future<Turn> result = Future.succeededFuture(turn);
    for (Step step : steps) {
      result = result.compose(current -> step.apply(current, delivery));
    }
    return result.onComplete(ended -> deliver(ended, delivery));
  }

  private static void deliver(AsyncResult<Turn> ended, Delivery delivery) {
    if (ended.failed()) {
      delivery.fail(Failures.safe(ended.cause(), "chat turn"));
      return;
    }
    ParleyException error = ended.result().error();
    if (error == null) {
      delivery.reply(ChatReply.of(ended.result()));
    } else {
      delivery.fail(error);
    }
  }
}
