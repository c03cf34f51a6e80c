package dev.parley.testing;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The body of every message this Vert.x instance sends or receives on the event bus, as text, from its start until it
 * is closed: what a secret must never appear in.
 */
public final class BusRecorder implements AutoCloseable {

  private final Vertx vertx;
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final Handler<DeliveryContext<Object>> record = delivery -> {
    bodies.add(String.valueOf(delivery.body()));
    delivery.next();
  };

  public BusRecorder(Vertx vertx) {
    this.vertx = vertx;
    vertx.eventBus().addOutboundInterceptor(record);
    vertx.eventBus().addInboundInterceptor(record);
  }

  public List<String> bodies() {
    return bodies;
  }

  @Override
  public void close() {
    vertx.eventBus().removeOutboundInterceptor(record);
    vertx.eventBus().removeInboundInterceptor(record);
  }
}
