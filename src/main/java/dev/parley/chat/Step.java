package dev.parley.chat;

import io.vertx.core.Future;

/**
 * One step of a chat turn ({@link ChatPipeline}): takes the turn as the steps before left it and returns it with
 * what this step added. A failed future ends the turn with that error (nothing after it runs); a step that must
 * not stop the turn (retrieval, provider status) recovers on its own.
 */
public interface Step {

  Future<Turn> apply(Turn turn, Delivery delivery);
}
