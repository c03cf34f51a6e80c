package dev.parley.provider;

import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.StreamEvents;
import dev.parley.common.UnicodeText;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * Sends one stream's messages ({@link StreamEvents}) to its caller's {@code stream_address}, all from this
 * verticle and with the same options, so they arrive in order: deltas numbered from 0, then exactly one
 * {@code done} or {@code error}. Nothing is sent after the end. Used from the verticle's event loop only.
 */
final class StreamSender {

  private final Vertx vertx;
  private final String address;
  private final DeliveryOptions options = new DeliveryOptions();
  private int seq;
  private boolean ended;

  StreamSender(Vertx vertx, String address, String requestId) {
    this.vertx = vertx;
    this.address = address;
    if (requestId != null && !"-".equals(requestId)) {
      options.addHeader(Fields.REQUEST_ID_HEADER, requestId);
    }
  }

  /** The sender for a stream request's {@code stream_address}, or null when it names none. */
  static StreamSender of(Vertx vertx, JsonObject request, String requestId) {
    Object address = request == null ? null : request.getValue(Fields.STREAM_ADDRESS);
    return address instanceof String s && !s.isBlank() ? new StreamSender(vertx, s.trim(), requestId) : null;
  }

  String address() {
    return address;
  }

  void delta(String text) {
    if (!ended) {
      vertx.eventBus().send(address, StreamEvents.delta(seq++, UnicodeText.withoutNul(text)), options);
    }
  }

  /** How many deltas went out. */
  int count() {
    return seq;
  }

  boolean ended() {
    return ended;
  }

  void done(JsonObject answer) {
    end(StreamEvents.done(answer));
  }

  void error(ParleyException failure) {
    end(StreamEvents.error(failure));
  }

  private void end(JsonObject event) {
    if (!ended) {
      ended = true;
      vertx.eventBus().send(address, event, options);
    }
  }
}
