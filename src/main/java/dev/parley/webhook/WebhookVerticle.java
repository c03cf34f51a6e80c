package dev.parley.webhook;

import dev.parley.common.Addresses;
import dev.parley.common.SecretStrength;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The worked example of a Parley extension: POSTs events to an operator's URL.
 *
 * <p>Consumes the published events named in {@code events} (default
 * {@code parley.events.turn.completed}) and delivers each as
 * {@code {id, event, created_at, data}} with headers {@code X-Parley-Event},
 * {@code X-Parley-Delivery} and, when a {@code secret} is set,
 * {@code X-Parley-Signature: sha256=<hex HMAC-SHA256 of the body>}. Deliveries that fail with a
 * connection error, a timeout, 408, 429 or 5xx are retried with exponential backoff; other 4xx
 * answers are dropped. Config: {@code url} (required), {@code secret} (must pass {@link SecretStrength}), {@code events},
 * {@code timeout_ms} (5000), {@code max_retries} (5), {@code backoff_initial_ms} (500),
 * {@code backoff_max_ms} (30000), {@code max_in_flight} (8), {@code max_queue} (10000).
 *
 * <p>Published events reach every consumer on every node, so deploy it on one node only.
 */
public class WebhookVerticle extends VerticleBase {

  private WebClient client;

  @Override
  public Future<?> start() {
    JsonObject config = config().getJsonObject("extension", config());
    String url = config.getString("url");
    if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
      return Future.failedFuture(new IllegalArgumentException("The webhook extension needs an http(s) 'url'"));
    }
    String secret = config.getString("secret");
    String weakness = secret == null || secret.isEmpty() ? null : SecretStrength.weakness("The webhook 'secret'", secret);
    if (weakness != null) {
      return Future.failedFuture(new IllegalArgumentException(weakness));
    }
    client = WebClient.create(vertx, new WebClientOptions()
        .setUserAgent("Parley-Webhook")
        .setConnectTimeout(config.getInteger("timeout_ms", 5_000))
        .setFollowRedirects(false));
    WebhookSender sender = new WebhookSender(vertx, client, URI.create(url), config);
    JsonArray events = config.getJsonArray("events", new JsonArray().add(Addresses.EVENTS_TURN_COMPLETED));
    List<Future<Void>> registered = new ArrayList<>();
    for (Object event : events) {
      String address = event.toString();
      registered.add(vertx.eventBus().<JsonObject>consumer(address, message -> sender.enqueue(address, message.body()))
          .completion());
    }
    return Future.all(registered);
  }

  @Override
  public Future<?> stop() {
    if (client != null) {
      client.close();
    }
    return Future.succeededFuture();
  }
}
