package dev.parley.chat;

import dev.parley.common.Clients;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A chat turn, step by step: limits → redaction (for the model) → handoff gate → budget → stored answer (for a bot
 * with retrieval on, matched in the search's request instead: {@link Context}) → history ∥ retrieval → answer →
 * store → no-answer trigger → provider health → event, then the reply or the error goes to the {@link Delivery}. A turn
 * the {@link HandoffGate} held (the conversation is with people) skips the steps after it and is delivered as held. One pipeline per HTTP verticle instance
 * (its {@link Budgets} cache is used from that event loop only).
 */
public final class ChatPipeline {

  private final List<Step> steps;
  private final LiveAnswers live;

  /** The pipeline over one verticle's clients; {@code budgetCacheMs}: how long a bot's spend today is cached. */
  public ChatPipeline(Clients clients, long budgetCacheMs) {
    this(clients, budgetCacheMs, 0);
  }

  /**
   * The same; {@code reloadGraceMs}: how long the answer of a visitor whose stream closed goes on, waiting for them to
   * come back on the session's channel ({@link LiveAnswers}), before the model's request is cancelled. A turn's tool
   * loop may go on asking for tools for the provider's timeout.
   */
  public ChatPipeline(Clients clients, long budgetCacheMs, long reloadGraceMs) {
    this(clients, budgetCacheMs, reloadGraceMs, clients.provider().timeoutMs());
  }

  /** The same, with {@code turnBudgetMs}: how long a turn's tool loop may go on asking for tools. */
  public ChatPipeline(Clients clients, long budgetCacheMs, long reloadGraceMs, long turnBudgetMs) {
    Budgets budgets = new Budgets(clients.memory(), budgetCacheMs);
    this.live = new LiveAnswers(clients.bus().vertx(), reloadGraceMs);
    this.steps = List.of(
        new MessageLimits(),
        new RedactPii(),
        new HandoffGate(clients.conversations(), clients.memory(), clients.bus().vertx().eventBus()),
        new BudgetCheck(budgets),
        new StoredAnswer(clients.rag()),
        new Context(clients.memory(), clients.rag()),
        new ModelAnswer(clients.provider(), clients.tools(), clients.bus().vertx(), live, turnBudgetMs),
        new StoreTurn(clients.memory(), budgets),
        new NoAnswerTrigger(clients.conversations()),
        new ProviderHealth(clients.bots()),
        new PublishEvent(clients.bus().vertx().eventBus()));
  }

  ChatPipeline(List<Step> steps) {
    this.steps = List.copyOf(steps);
    this.live = null;
  }

  /** Runs the turn's steps in order and delivers its end; completes with the turn as the last step left it. */
  public Future<Turn> run(Turn turn, Delivery delivery) {
    Future<Turn> result = Future.succeededFuture(turn);
    for (Step step : steps) {
      result = result.compose(current -> current.held() != null ? Future.succeededFuture(current) : step.apply(current, delivery));
    }
    return result.onComplete(ended -> {
      if (live != null) {
        live.end(turn.answerId(), ended.failed() ? Failures.safe(ended.cause(), "chat turn") : ended.result().error());
      }
      deliver(ended, delivery);
    });
  }

  private static void deliver(AsyncResult<Turn> ended, Delivery delivery) {
    if (ended.failed()) {
      delivery.fail(Failures.safe(ended.cause(), "chat turn"));
      return;
    }
    Turn turn = ended.result();
    if (turn.held() != null) {
      delivery.held(new JsonObject().put(Fields.MESSAGE_ID, turn.stored().getString("user_message_id"))
          .put(Fields.SESSION_ID, turn.sessionId()).put(Fields.STATE, turn.held()));
      return;
    }
    ParleyException error = turn.error();
    if (error == null) {
      delivery.reply(ChatReply.of(ended.result()));
    } else {
      delivery.fail(error);
    }
  }
}
