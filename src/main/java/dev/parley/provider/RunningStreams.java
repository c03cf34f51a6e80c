package dev.parley.provider;

import dev.parley.common.Fields;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The streams this verticle instance is running, by the caller's stream address, so that a published
 * {@code parley.provider.cancel} stops the one it names (if this instance runs it, and it is still running).
 * Used from the verticle's event loop only.
 */
final class RunningStreams {

  private final Map<String, Promise<Void>> running = new HashMap<>();

  /** A published cancel {@code {stream_address}}. */
  void cancel(Message<JsonObject> message) {
    JsonObject body = message.body();
    Promise<Void> gone = body == null ? null : running.get(body.getString(Fields.STREAM_ADDRESS));
    if (gone != null) {
      gone.tryComplete();
    }
  }

  /**
   * Runs {@code stream}, registered under {@code address} until the future it returns completes; the future it
   * is given completes when the stream's client goes away.
   */
  <T> Future<T> run(String address, Function<Future<Void>, Future<T>> stream) {
    Promise<Void> gone = Promise.promise();
    running.put(address, gone);
    Future<T> ended;
    try {
      ended = stream.apply(gone.future());
    } catch (RuntimeException bug) {
      ended = Future.failedFuture(bug);
    }
    return ended.onComplete(done -> running.remove(address, gone));
  }
}
