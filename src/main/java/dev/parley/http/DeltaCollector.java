package dev.parley.http;

import dev.parley.common.Fields;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * Gathers the deltas of a streamed answer. The provider's final reply says how many deltas it
 * sent; {@link #all(int)} completes once that many have arrived (they travel on another
 * address, so the reply may overtake the last ones), or after a grace period.
 */
final class DeltaCollector {

  private static final long GRACE_MS = 2_000;

  private final Vertx vertx;
  private final Consumer<String> onText;
  private final StringBuilder text = new StringBuilder();
  private int sentLength = -1;
  private int received;
  private int expected = -1;
  private Promise<Void> complete;

  DeltaCollector(Vertx vertx, Consumer<String> onText) {
    this.vertx = vertx;
    this.onText = onText;
  }

  void accept(JsonObject delta) {
    if (!"delta".equals(delta.getString(Fields.TYPE))) {
      return;
    }
    String piece = delta.getString(Fields.TEXT, "");
    text.append(piece);
    received++;
    onText.accept(piece);
    if (complete != null && received >= expected) {
      complete.tryComplete();
    }
  }

  Future<Void> all(int count) {
    expected = count;
    complete = Promise.promise();
    if (received >= expected) {
      complete.complete();
    } else {
      long timer = vertx.setTimer(GRACE_MS, t -> complete.tryComplete());
      complete.future().onComplete(done -> vertx.cancelTimer(timer));
    }
    return complete.future();
  }

  String text() {
    return text.toString();
  }

  /** The client went away: from now on, what arrives was not sent to it. */
  void clientGone() {
    if (sentLength < 0) {
      sentLength = text.length();
    }
  }

  /** The text the client was sent: all of it, or what had arrived when it went away. */
  String sent() {
    return sentLength < 0 ? text.toString() : text.substring(0, sentLength);
  }
}
