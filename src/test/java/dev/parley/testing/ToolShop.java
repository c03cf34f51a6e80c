package dev.parley.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A shop for HTTP tools on 127.0.0.1: {@code /orders/{id}} answers {@code {"order": id, "status": "shipped"}}, any
 * other path 503 "down for maintenance"; every request's URI is added to {@code seen}.
 */
public final class ToolShop {

  private ToolShop() {
  }

  public static Future<HttpServer> start(Vertx vertx, List<String> seen) {
    return vertx.createHttpServer().requestHandler(request -> {
      seen.add(request.uri());
      if (request.path().startsWith("/orders/")) {
        request.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("order", request.path().substring(8)).put("status", "shipped").encode());
      } else {
        request.response().setStatusCode(503).end("down for maintenance");
      }
    }).listen(0, "127.0.0.1");
  }

  /** The {@code tool} config that lets tools reach the shop (a loopback address, any port). */
  public static JsonObject allowLoopback() {
    return new JsonObject().put("allow_private_urls", true).put("allowed_url_ports", new JsonArray());
  }
}
