package dev.parley.provider;

import io.vertx.core.json.JsonArray;
import java.util.function.Consumer;

/**
 * Turns one vendor's server-sent events into text deltas, tool calls and a {@link Completion}, and tells the attempt's
 * {@link Meter} the text and the usage as they arrive. A new decoder serves each attempt. {@link #accept}
 * may throw: a {@link ProviderFailure} for an error event, a {@link io.vertx.core.json.DecodeException}
 * for broken JSON.
 */
abstract class StreamDecoder {

  private final Consumer<String> onDelta;
  private final Meter meter;
  private final StringBuilder content = new StringBuilder();
  private int deltas;
  private int maxChars = Integer.MAX_VALUE;
  private ToolCallParts tools;

  protected StreamDecoder(Consumer<String> onDelta, Meter meter) {
    this.onDelta = onDelta;
    this.meter = meter;
  }

  final Meter meter() {
    return meter;
  }

  abstract void accept(SseEvent event);

  /** Whether the vendor signalled the end of the answer. */
  abstract boolean finished();

  abstract Completion result();

  /** The most characters of answer this decoder passes on; past them it throws {@link ProviderFailure#tooLong}. */
  final void limit(int maxChars) {
    this.maxChars = maxChars;
  }

  /**
   * Passes a piece of the answer on (empty pieces are dropped). A piece that would take the answer past
   * the limit is cut to fit, passed on, and the answer ends there with a {@link ProviderFailure#tooLong}.
   */
  protected final void text(String piece) {
    if (piece == null || piece.isEmpty()) {
      return;
    }
    int room = maxChars - content.length();
    if (piece.length() > room) {
      int end = Math.max(0, room);
      if (end > 0 && Character.isHighSurrogate(piece.charAt(end - 1))) {
        end--;
      }
      if (end > 0) {
        String fits = piece.substring(0, end);
        content.append(fits);
        meter.received(fits);
        deltas++;
        onDelta.accept(fits);
      }
      throw ProviderFailure.tooLong(maxChars);
    }
    content.append(piece);
    meter.received(piece);
    deltas++;
    onDelta.accept(piece);
  }

  /** A piece of tool call {@code index} ({@link ToolCallParts#add}); bounded by the same limit as the text. */
  protected final void toolCall(int index, String id, String name, String arguments) {
    if (tools == null) {
      tools = new ToolCallParts(meter, maxChars);
    }
    tools.add(index, id, name, arguments);
  }

  /** The tool calls assembled so far (empty when the model asked for none). */
  protected final JsonArray toolCalls() {
    return tools == null ? new JsonArray() : tools.result();
  }

  protected final String content() {
    return content.toString();
  }

  /** Whether any text has gone to the caller: from then on, the attempt cannot be retried. */
  final boolean delivered() {
    return deltas > 0;
  }
}
