package dev.parley.common;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * The codec of a JSON body handed over between two verticles of one node: the receiver gets the object that was sent,
 * where the event bus's own codec gives it a copy. The copy is what keeps a sender and a receiver from sharing a
 * mutable object, so a body goes this way only when nobody changes it after it was sent: a request sent with
 * {@link Bus#handOver}, built for that one request, or the reply of a handler registered with
 * {@link BusHandlers#registerHandingOver}, built for that one reply and kept nowhere. Only on node-local aliases
 * ({@link LocalFirst}): a body that leaves the node goes with the default codec, as every address that may cross the
 * cluster must (an extension on another node knows no Parley codec). Its wire form, never used, is the default one's.
 */
public final class Handover implements MessageCodec<JsonObject, JsonObject> {

  static final String NAME = "parley.handover";
  private static final String REGISTRY = "parley.handover.codec";

  private Handover() {
  }

  /** Registers the codec with {@code vertx}'s event bus, once per Vert.x instance. */
  static void register(Vertx vertx) {
    synchronized (Handover.class) {
      if (vertx.sharedData().<String, Boolean>getLocalMap(REGISTRY).putIfAbsent(NAME, Boolean.TRUE) == null) {
        vertx.eventBus().registerCodec(new Handover());
      }
    }
  }

  /** {@code options} sending their body handed over. */
  static DeliveryOptions on(DeliveryOptions options) {
    return options.setCodecName(NAME);
  }

  /** Replies {@code reply} to {@code message}: handed over when the request came on a node-local alias, else copied. */
  public static void reply(Message<?> message, JsonObject reply) {
    if (LocalFirst.isAlias(message.address())) {
      message.reply(reply, on(new DeliveryOptions()));
    } else {
      message.reply(reply);
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject body) {
    Buffer encoded = JsonBytes.of(body);
    buffer.appendInt(encoded.length());
    buffer.appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return new JsonObject(buffer.slice(pos + 4, pos + 4 + length));
  }

  @Override
  public JsonObject transform(JsonObject body) {
    return body;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
