package dev.parley.provider;

import dev.parley.common.Bus;
import dev.parley.common.Failures;
import dev.parley.common.Handover;
import dev.parley.common.ParleyException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Answers one request exactly once. For a stream, the end ({@code done} with the answer, or {@code error} with
 * the failure and its {@code spent}) goes to the stream address first, behind the deltas, then the request gets
 * the same answer or failure as its reply (which callers still use for heartbeats and failure detection).
 */
final class Replier {

  private final Message<JsonObject> message;
  private final StreamSender stream;
  private boolean answered;

  Replier(Message<JsonObject> message, StreamSender stream) {
    this.message = message;
    this.stream = stream;
  }

  /** The stream's sender, or null for a JSON call (or a stream request without a stream address). */
  StreamSender stream() {
    return stream;
  }

  String requestId() {
    return Bus.requestId(message);
  }

  boolean answered() {
    return answered;
  }

  void succeed(JsonObject answer) {
    if (answered) {
      return;
    }
    answered = true;
    if (stream != null) {
      stream.done(answer);
    }
    // built for this reply; the stream's done above is sent (copied) before it
    Handover.reply(message, answer);
  }

  /** Fails the request with the safe form of {@code failure} ({@link Failures#safe}). */
  void fail(Throwable failure) {
    if (answered) {
      return;
    }
    answered = true;
    ParleyException safe = Failures.safe(failure, message.address());
    if (stream != null) {
      stream.error(safe);
    }
    Failures.reply(message, safe);
  }
}
