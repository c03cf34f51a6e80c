package dev.parley.provider;

import dev.parley.common.Addresses;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.StreamEvents;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream forwarded to a custom provider. The extension gets a relay address of this verticle as its
 * {@code stream_address}; its deltas are passed on to the caller's address in order, and the caller's stream
 * ends as a built-in one does ({@link StreamSender}), with the answer counted ({@link CustomProviders}).
 *
 * <p>The extension sends {@code delta}s, then {@code {type:"done", content, usage?, cost?, provider?, model?}} or
 * {@code {type:"error", status, error:{code, message, spent?}}} to the relay, then replies (any JSON). The old
 * way, deltas then a reply with the answer and {@code deltas} (how many it sent), still works: the stream ends
 * with that reply once that many deltas were relayed, and a WARN is logged once per provider name. A reply
 * that overtook the end (or the deltas it counts) waits up to {@link #END_GRACE_MS} for it; a success reply
 * that is neither way fails 502 {@code provider_protocol_error}. A published cancel of the caller's stream
 * is passed on to the extension as a cancel of the relay address. The relay is unregistered once the caller
 * has its answer, on every path (done, error, failed or timed-out request, missing end).
 */
final class CustomStream {

  /** How long a reply waits for the end, or the deltas it counts, that it overtook on the relay address. */
  static final long END_GRACE_MS = 2_000;

  private static final Logger LOG = LoggerFactory.getLogger(CustomStream.class);
  private static final Set<String> WARNED_OLD_WAY = ConcurrentHashMap.newKeySet();

  private final Vertx vertx;
  private final String name;
  private final Replier replier;
  private final StreamSender caller;
  private final UnaryOperator<JsonObject> counted;
  private final Function<Throwable, ParleyException> failures;
  private final Promise<Void> ended = Promise.promise();
  /** A reply of the old shape, waiting for the deltas it counts. */
  private JsonObject oldReply;
  private int oldDeltas;
  private long graceTimer = -1;

  /**
   * {@code counted} completes an answer's usage and cost; {@code failures} turns a failed request into the
   * caller's failure.
   */
  CustomStream(Vertx vertx, String name, Replier replier, UnaryOperator<JsonObject> counted,
      Function<Throwable, ParleyException> failures) {
    this.vertx = vertx;
    this.name = name;
    this.replier = replier;
    this.caller = replier.stream();
    this.counted = counted;
    this.failures = failures;
  }

  /** Forwards the request to {@code address}; completes once the caller is answered and the relay is gone. */
  Future<Void> run(String address, JsonObject request, DeliveryOptions options, Future<Void> clientGone) {
    String relayAddress = Addresses.STREAM_PREFIX + Ids.uuid();
    MessageConsumer<Object> relay = vertx.eventBus().consumer(relayAddress, this::relayed);
    clientGone.onSuccess(gone -> vertx.eventBus().publish(Addresses.PROVIDER_CANCEL,
        new JsonObject().put(Fields.STREAM_ADDRESS, relayAddress)));
    relay.completion()
        .compose(registered -> vertx.eventBus().request(address, request.copy().put(Fields.STREAM_ADDRESS, relayAddress),
            options))
        .onComplete(this::answered);
    return ended.future().eventually(relay::unregister);
  }

  private void relayed(Message<Object> message) {
    if (ended.future().isComplete() || !(message.body() instanceof JsonObject event)) {
      return;
    }
    switch (StreamEvents.type(event)) {
      case StreamEvents.DELTA -> {
        if (event.getValue(Fields.TEXT) instanceof String text) {
          caller.delta(text);
        }
        if (oldReply != null && caller.count() >= oldDeltas) {
          endOldWay();
        }
      }
      case StreamEvents.DONE -> succeed(counted.apply(StreamEvents.answer(event)));
      case StreamEvents.ERROR -> {
        ParleyException failure = failure(event);
        LOG.warn("Custom provider {} failed: code={} request={}", name, failure.code(), replier.requestId());
        fail(failure);
      }
      default -> {
        // not part of the stream contract: ignored
      }
    }
  }

  private void answered(AsyncResult<Message<Object>> reply) {
    if (ended.future().isComplete()) {
      return;
    }
    if (reply.failed()) {
      fail(failures.apply(reply.cause()));
      return;
    }
    Object body = reply.result().body();
    if (body instanceof JsonObject answer && answer.getValue(Fields.DELTAS) instanceof Number count) {
      oldReply = answer;
      oldDeltas = count.intValue();
      if (caller.count() >= oldDeltas) {
        endOldWay();
        return;
      }
    }
    graceTimer = vertx.setTimer(END_GRACE_MS, t -> noEnd(body));
  }

  /** The reply came, and no end followed it in time. */
  private void noEnd(Object reply) {
    if (oldReply == null && reply instanceof JsonObject answer && answer.getValue(Fields.CONTENT) instanceof String) {
      oldReply = answer;
    }
    if (oldReply != null) {
      endOldWay();
      return;
    }
    LOG.warn("Custom provider {} replied to a stream without ending it: no done or error on its stream_address", name);
    fail(protocolError());
  }

  private void endOldWay() {
    if (WARNED_OLD_WAY.add(name)) {
      LOG.warn("Custom provider {} ends its streams the old way (a reply with deltas, no done message): it still works,"
          + " but should send {type: \"done\", ...} to stream_address before replying (docs/extending.md)", name);
    }
    succeed(counted.apply(oldReply));
  }

  private void succeed(JsonObject answer) {
    vertx.cancelTimer(graceTimer);
    answer.remove(Fields.TYPE);
    // the relayed count, for callers that still wait for the deltas a reply counts
    replier.succeed(answer.put(Fields.DELTAS, caller.count()));
    ended.tryComplete();
  }

  private void fail(ParleyException failure) {
    vertx.cancelTimer(graceTimer);
    replier.fail(failure);
    ended.tryComplete();
  }

  private ParleyException failure(JsonObject error) {
    try {
      return StreamEvents.failure(error);
    } catch (ClassCastException unreadable) {
      return protocolError();
    }
  }

  private ParleyException protocolError() {
    return new ParleyException(ErrorCodes.BAD_GATEWAY, "provider_protocol_error", "The provider " + name
        + " did not end its stream as Parley's stream contract says (docs/extending.md)", null, 0);
  }
}
