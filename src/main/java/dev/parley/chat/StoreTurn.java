package dev.parley.chat;

import dev.parley.common.Addresses;
import dev.parley.common.Failures;
import dev.parley.common.MemoryClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores the turn ({@code parley.memory.append}, {@link TurnRecords}): the visitor's message always, with the
 * answer, the part of it the visitor was sent, or the failure; then counts its spend against the bot's budget.
 * A turn that could not be stored ends with that failure, unless it had already failed.
 */
final class StoreTurn implements Step {

  private static final Logger LOG = LoggerFactory.getLogger(StoreTurn.class);

  private final MemoryClient memory;
  private final Budgets budgets;

  StoreTurn(MemoryClient memory, Budgets budgets) {
    this.memory = memory;
    this.budgets = budgets;
  }

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    JsonObject record = TurnRecords.of(turn);
    return memory.append(turn.requestId(), record).transform(stored -> {
      if (stored.succeeded()) {
        budgets.record(turn.botId(), TurnRecords.spent(record));
        return Future.succeededFuture(turn.withStored(record, stored.result(), null));
      }
      if (turn.error() != null) {
        LOG.error("[{}] The failed turn of bot {} could not be stored either", turn.requestId(), turn.botId());
      }
      return Future.succeededFuture(turn.withStored(record, null, Failures.safe(stored.cause(), Addresses.MEMORY_APPEND)));
    });
  }
}
