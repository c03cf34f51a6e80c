package dev.parley.provider;

import java.util.function.Consumer;

/**
 * Turns one vendor's server-sent events into text deltas and a {@link Completion}. A new
 * decoder serves each attempt. {@link #accept} may throw: a {@link ProviderFailure} for an
 * error event, a {@link io.vertx.core.json.DecodeException} for broken JSON.
 */
abstract class StreamDecoder {

  private final Consumer<String> onDelta;
  private final StringBuilder content = new StringBuilder();
  private int deltas;

  protected StreamDecoder(Consumer<String> onDelta) {
    this.onDelta = onDelta;
  }

  abstract void accept(SseEvent event);

  /** Whether the vendor signalled the end of the answer. */
  abstract boolean finished();

  abstract Completion result();

  /** Passes a piece of the answer on (empty pieces are dropped). */
  protected final void text(String piece) {
    if (piece == null || piece.isEmpty()) {
      return;
    }
    content.append(piece);
    deltas++;
    onDelta.accept(piece);
  }

  protected final String content() {
    return content.toString();
  }

  /** Whether any text has gone to the caller: from then on, the attempt cannot be retried. */
  final boolean delivered() {
    return deltas > 0;
  }
}
