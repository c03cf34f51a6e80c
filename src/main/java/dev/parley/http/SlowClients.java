package dev.parley.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps slow clients from holding connections. The server's idle timeout closes a silent
 * connection, but a client that trickles a byte now and then is never idle; so, checked once a
 * second:
 * <ul>
 *   <li>a new connection whose first request's headers have not arrived is closed after
 *   {@code header_timeout_s};</li>
 *   <li>a kept-alive one between requests is closed after {@code keep_alive_timeout_s} (75 s by default, longer
 *   than the 60 s a load balancer or reverse proxy commonly keeps an idle connection: the proxy closes first, so
 *   it never sends a request on a connection this server is just closing);</li>
 *   <li>a request whose body is still arriving after {@code body_timeout_s}, at less than
 *   {@code min_body_rate_bytes_s} on average, gets 408 {@code request_timeout} and its connection is
 *   closed (a large upload at a fair rate goes on).</li>
 * </ul>
 * A request whose body has arrived is never cut: a long model call or a server-sent event stream
 * has its own timeouts. One instance per HTTP verticle, used on its event loop only.
 */
final class SlowClients {

  private static final Logger LOG = LoggerFactory.getLogger(SlowClients.class);
  private static final long CHECK_EVERY_MS = 1_000;

  private static final class State {
    HttpServerRequest current;
    long since;
    long requestStart;
    boolean served;

    State(long now) {
      this.since = now;
    }
  }

  private final Vertx vertx;
  private final long headerTimeoutMs;
  private final long keepAliveTimeoutMs;
  private final long bodyTimeoutMs;
  private final long minBodyRate;
  private final Map<HttpConnection, State> connections = new HashMap<>();
  private long timer = -1;

  SlowClients(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.headerTimeoutMs = (long) (config.getDouble("header_timeout_s", 30.0) * 1000);
    this.keepAliveTimeoutMs = (long) (config.getDouble("keep_alive_timeout_s", 75.0) * 1000);
    this.bodyTimeoutMs = (long) (config.getDouble("body_timeout_s", 30.0) * 1000);
    this.minBodyRate = config.getLong("min_body_rate_bytes_s", 1024L);
  }

  void connection(HttpConnection connection) {
    connections.put(connection, new State(System.currentTimeMillis()));
    connection.closeHandler(closed -> connections.remove(connection));
    if (timer < 0) {
      timer = vertx.setPeriodic(CHECK_EVERY_MS, id -> check());
    }
  }

  void request(HttpServerRequest request) {
    State state = connections.get(request.connection());
    if (state != null) {
      state.current = request;
      state.requestStart = System.currentTimeMillis();
    }
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void check() {
    long now = System.currentTimeMillis();
    List<HttpConnection> idle = new ArrayList<>();
    for (Map.Entry<HttpConnection, State> entry : connections.entrySet()) {
      State state = entry.getValue();
      HttpServerRequest request = state.current;
      if (request == null || request.response().ended() || request.response().closed()) {
        if (request != null) {
          state.current = null;
          state.since = now;
          state.served = true;
        }
        if (now - state.since > (state.served ? keepAliveTimeoutMs : headerTimeoutMs)) {
          idle.add(entry.getKey());
        }
      } else if (!request.isEnded()) {
        long elapsed = now - state.requestStart;
        if (elapsed > bodyTimeoutMs && request.bytesRead() * 1000 < minBodyRate * elapsed) {
          timeOut(entry.getKey(), request);
        }
      }
    }
    for (HttpConnection connection : idle) {
      connections.remove(connection);
      connection.close();
    }
  }

  private void timeOut(HttpConnection connection, HttpServerRequest request) {
    LOG.info("Closing a connection from {}: request body too slow ({} bytes in {} ms)", request.remoteAddress(),
        request.bytesRead(), System.currentTimeMillis() - connections.get(connection).requestStart);
    connections.remove(connection);
    HttpServerResponse response = request.response();
    if (response.headWritten()) {
      connection.close();
      return;
    }
    JsonObject error = new JsonObject().put("code", "request_timeout")
        .put("message", "The request body arrived too slowly");
    response.setStatusCode(408)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Connection", "close")
        .end(new JsonObject().put("error", error).encode())
        .onComplete(done -> connection.close());
  }
}
