package dev.parley.chat;

import dev.parley.common.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;

/** Tells extensions and metrics about a stored turn: publishes {@code parley.events.turn.completed}. */
final class PublishEvent implements Step {

  private final EventBus eventBus;

  PublishEvent(EventBus eventBus) {
    this.eventBus = eventBus;
  }

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    if (turn.stored() != null) {
      eventBus.publish(Addresses.EVENTS_TURN_COMPLETED, TurnRecords.event(turn));
    }
    return Future.succeededFuture(turn);
  }
}
