package dev.parley.webhook;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/** A webhook endpoint on loopback that records what it gets and answers queued statuses (then 200). */
public final class WebhookReceiver {

  public record Received(MultiMap headers, Buffer body) {
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();

  private WebhookReceiver(HttpServer server) {
    this.server = server;
  }

  public static Future<WebhookReceiver> start(Vertx vertx) {
    WebhookReceiver[] holder = new WebhookReceiver[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      holder[0].received.add(new Received(request.headers(), body));
      Integer status = holder[0].statuses.poll();
      request.response().setStatusCode(status == null ? 200 : status).end();
    }));
    holder[0] = new WebhookReceiver(server);
    return server.listen(0, "127.0.0.1").map(s -> holder[0]);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hooks/parley";
  }

  /** An entry of config {@code extensions}: the webhook extension posting to this receiver, with {@code config} added. */
  public JsonObject extension(JsonObject config) {
    return new JsonObject().put("verticle", WebhookVerticle.class.getName())
        .put("config", config.copy().put("url", url()));
  }

  public void answer(int... codes) {
    for (int code : codes) {
      statuses.add(code);
    }
  }

  public List<Received> received() {
    return received;
  }
}
