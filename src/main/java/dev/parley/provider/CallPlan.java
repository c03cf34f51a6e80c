package dev.parley.provider;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

/**
 * One request as the {@link CallLoop} runs it: the bot's provider and call, its {@code fallback} spec (null when
 * it has none), the stream's sender (null for a JSON call), the deadline ({@link System#nanoTime()}) of the whole
 * call, fallback included, {@code cancel} (completing it stops the upstream request), {@code clientGone}
 * (completes when the stream's client went away) and the {@link Spend} every attempt adds to.
 */
record CallPlan(ModelProvider provider, ModelCall call, JsonObject fallback, StreamSender stream, long deadline,
    Promise<Void> cancel, Future<Void> clientGone, Spend spend) {

  /** Whether a delta of this request went out: from then on, it is neither retried nor handed to a fallback. */
  boolean delivered() {
    return stream != null && stream.count() > 0;
  }
}
