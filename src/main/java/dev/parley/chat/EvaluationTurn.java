package dev.parley.chat;

import dev.parley.common.Clients;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One question of an evaluation through the steps of a chat turn that answer it: limits → redaction → history
 * (none: the question stands alone) ∥ retrieval → the bot's provider. Nothing is stored, no event is published, no
 * budget is checked or counted, and the bot is run without its tools (a tool may act on the world: a ticket, a
 * person asked for). The turn as its last step left it.
 */
final class EvaluationTurn {

  /** The caller of an evaluation's turns: stateless, with no history. */
  static final Caller CALLER = new Caller("evaluation", new JsonArray(), null);

  private final List<Step> steps;

  EvaluationTurn(Clients clients, long turnBudgetMs) {
    this.steps = List.of(
        new MessageLimits(),
        new RedactPii(),
        new Context(clients.memory(), clients.rag()),
        new ModelAnswer(clients.provider(), clients.tools(), clients.bus().vertx(), null, turnBudgetMs));
  }

  Future<Turn> run(String requestId, JsonObject bot, String question) {
    JsonObject withoutTools = bot.copy();
    withoutTools.remove(Fields.TOOLS);
    Future<Turn> result = Future.succeededFuture(Turn.start(requestId, withoutTools,
        new JsonObject().put("message", question), CALLER));
    for (Step step : steps) {
      result = result.compose(turn -> step.apply(turn, QUIET));
    }
    return result;
  }

  /** A delivery nobody reads: the answer is taken from the turn. */
  private static final Delivery QUIET = new Delivery() {
    @Override
    public boolean streams() {
      return false;
    }

    @Override
    public void open(String sessionId, String messageId) {
    }

    @Override
    public void delta(String text) {
    }

    @Override
    public void onGone(Runnable action) {
    }

    @Override
    public boolean gone() {
      return false;
    }

    @Override
    public void reply(ChatReply reply) {
    }

    @Override
    public void held(JsonObject reply) {
    }

    @Override
    public void fail(ParleyException error) {
    }
  };
}
