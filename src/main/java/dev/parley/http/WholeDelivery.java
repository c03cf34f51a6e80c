package dev.parley.http;

import dev.parley.chat.Delivery;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;

/**
 * A delivery that sends the answer once, whole ({@link JsonDelivery}, {@link CompletionJson}, {@link ReplyPromise}):
 * nothing is sent before the end, and the turn runs to its end whether or not its client stays.
 */
abstract class WholeDelivery implements Delivery {

  @Override
  public final boolean streams() {
    return false;
  }

  @Override
  public final void open(String sessionId, String messageId) {
    // nothing is sent before the whole answer
  }

  @Override
  public final void delta(String text) {
    // nothing is sent before the whole answer
  }

  @Override
  public final void onGone(Runnable action) {
    // a whole answer's turn runs to its end
  }

  /** Only a visitor's turn is held for people ({@link JsonDelivery}); API and MCP turns never are. */
  @Override
  public void held(JsonObject reply) {
    fail(ParleyException.internal());
  }

  @Override
  public final boolean gone() {
    return false;
  }
}
