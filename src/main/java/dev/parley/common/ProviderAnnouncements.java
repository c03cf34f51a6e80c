package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * How a custom provider makes its name known, so bots may name it: it publishes
 * {@link Addresses#EVENTS_PROVIDER_ANNOUNCED} {@code {name}} once it serves its addresses, and again whenever
 * someone publishes {@link Addresses#PROVIDER_DISCOVER} (a bot verticle that started later, on any node).
 * Publishing reaches every node of a cluster, so start-up order does not matter.
 */
public final class ProviderAnnouncements {

  private ProviderAnnouncements() {
  }

  /**
   * Announces {@code name} now and on every discover request, until the calling verticle is undeployed.
   * Call it after the provider's {@code .complete} and {@code .stream} consumers are registered.
   */
  public static Future<Void> announce(Vertx vertx, String name) {
    JsonObject announcement = new JsonObject().put(Fields.NAME, name);
    MessageConsumer<JsonObject> discover = vertx.eventBus().consumer(Addresses.PROVIDER_DISCOVER,
        request -> vertx.eventBus().publish(Addresses.EVENTS_PROVIDER_ANNOUNCED, announcement));
    return discover.completion()
        .onSuccess(ready -> vertx.eventBus().publish(Addresses.EVENTS_PROVIDER_ANNOUNCED, announcement));
  }
}
