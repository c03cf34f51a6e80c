package dev.parley.webhook;

import dev.parley.common.Ids;
import dev.parley.common.JsonBytes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to one URL with bounded concurrency, a bounded queue and retries with
 * jittered exponential backoff. Used from its verticle's context only.
 */
final class WebhookSender {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

  private record Delivery(String id, String event, Buffer body) {
  }

  private final Vertx vertx;
  private final WebClient client;
  private final URI url;
  private final byte[] secret;
  private final long timeoutMs;
  private final int maxRetries;
  private final long backoffInitialMs;
  private final long backoffMaxMs;
  private final int maxInFlight;
  private final int maxQueue;
  private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
  private int inFlight;

  WebhookSender(Vertx vertx, WebClient client, URI url, JsonObject config) {
    this.vertx = vertx;
    this.client = client;
    this.url = url;
    String key = config.getString("secret");
    this.secret = key == null || key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8);
    this.timeoutMs = config.getLong("timeout_ms", 5_000L);
    this.maxRetries = config.getInteger("max_retries", 5);
    this.backoffInitialMs = config.getLong("backoff_initial_ms", 500L);
    this.backoffMaxMs = config.getLong("backoff_max_ms", 30_000L);
    this.maxInFlight = config.getInteger("max_in_flight", 8);
    this.maxQueue = config.getInteger("max_queue", 10_000);
  }

  void enqueue(String event, JsonObject data) {
    String id = Ids.uuid();
    Buffer body = JsonBytes.of(new JsonObject().put("id", id).put("event", event)
        .put("created_at", System.currentTimeMillis()).put("data", data));
    if (queue.size() >= maxQueue) {
      Delivery dropped = queue.poll();
      LOG.warn("Webhook queue full ({}): dropped delivery {}", maxQueue, dropped.id());
    }
    queue.add(new Delivery(id, event, body));
    pump();
  }

  private void pump() {
    while (inFlight < maxInFlight && !queue.isEmpty()) {
      Delivery delivery = queue.poll();
      inFlight++;
      attempt(delivery, 0).onComplete(done -> {
        inFlight--;
        pump();
      });
    }
  }

  private Future<Void> attempt(Delivery delivery, int retry) {
    return post(delivery).transform(result -> {
      int status = result.succeeded() ? result.result().statusCode() : 0;
      if (status >= 200 && status < 300) {
        return Future.succeededFuture();
      }
      boolean retryable = status == 0 || status == 408 || status == 429 || status >= 500;
      String outcome = status == 0 ? result.cause().getClass().getSimpleName() : "HTTP " + status;
      if (!retryable || retry >= maxRetries) {
        LOG.warn("Webhook delivery {} of {} given up after {} attempt(s): {}", delivery.id(), delivery.event(),
            retry + 1, outcome);
        return Future.succeededFuture();
      }
      long delay = backoff(retry);
      LOG.info("Webhook delivery {} failed ({}), retry {} in {} ms", delivery.id(), outcome, retry + 1, delay);
      return vertx.timer(delay).compose(t -> attempt(delivery, retry + 1));
    });
  }

  private Future<HttpResponse<Buffer>> post(Delivery delivery) {
    int port = url.getPort() != -1 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    var request = client.post(port, url.getHost(), url.getRawQuery() == null ? path : path + "?" + url.getRawQuery())
        .ssl("https".equals(url.getScheme()))
        .timeout(timeoutMs)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Parley-Event", delivery.event())
        .putHeader("X-Parley-Delivery", delivery.id());
    if (secret != null) {
      request.putHeader("X-Parley-Signature", "sha256=" + sign(delivery.body()));
    }
    return request.sendBuffer(delivery.body());
  }

  private long backoff(int retry) {
    long ceiling = Math.min(backoffMaxMs, backoffInitialMs << Math.min(retry, 20));
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }

  private String sign(Buffer body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
