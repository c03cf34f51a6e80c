package dev.parley.chat;

import dev.parley.common.StreamEvents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * The receiving end of one streamed answer ({@link StreamEvents}) on its own address: hands each {@code delta}'s
 * text on in order, and ends with the stream's {@code done} (the answer) or {@code error} (its failure) — or with
 * the failure of the request that started the stream ({@link #watch}: a timeout, no provider, a lost node),
 * whichever comes first. That request's successful reply ends nothing: it travels on another address and may
 * overtake the last deltas, which the stream's own end never does. The consumer is unregistered at the end.
 */
public final class StreamReceiver {

  private final MessageConsumer<JsonObject> consumer;
  private final Consumer<String> onText;
  private final Promise<JsonObject> end = Promise.promise();
  private final StringBuilder text = new StringBuilder();
  private int sentLength = -1;

  public StreamReceiver(Vertx vertx, String address, Consumer<String> onText) {
    this.onText = onText;
    this.consumer = vertx.eventBus().consumer(address, message -> accept(message.body()));
    end.future().onComplete(ended -> consumer.unregister());
  }

  /** Completes once the stream address is registered (on every node of a cluster): the stream may start. */
  public Future<Void> ready() {
    return consumer.completion();
  }

  /** The request that started the stream: its failure ends the stream, if nothing ended it before. */
  public void watch(Future<?> request) {
    request.onFailure(this::fail);
  }

  /** Ends the stream with {@code failure}, if nothing ended it before. */
  public void fail(Throwable failure) {
    end.tryFail(failure);
  }

  /** The answer ({@code done} without its type), or the stream's failure. */
  public Future<JsonObject> answer() {
    return end.future();
  }

  private void accept(JsonObject event) {
    if (event == null || end.future().isComplete()) {
      return;
    }
    switch (StreamEvents.type(event)) {
      case StreamEvents.DELTA -> {
        String piece = event.getValue(dev.parley.common.Fields.TEXT) instanceof String s ? s : "";
        text.append(piece);
        onText.accept(piece);
      }
      case StreamEvents.DONE -> end.tryComplete(StreamEvents.answer(event));
      case StreamEvents.ERROR -> end.tryFail(StreamEvents.failure(event));
      default -> {
        // not part of the contract: ignored
      }
    }
  }

  /** All the text received. */
  public String text() {
    return text.toString();
  }

  /** The visitor went away: from now on, what arrives was not sent to them. */
  public void clientGone() {
    if (sentLength < 0) {
      sentLength = text.length();
    }
  }

  /** The visitor came back (on the session's channel): all the text reached them after all. */
  public void clientBack() {
    sentLength = -1;
  }

  /** The text the visitor was sent: all of it, or what had arrived when they went away. */
  public String sent() {
    return sentLength < 0 ? text.toString() : text.substring(0, sentLength);
  }
}
