package dev.parley.tool;

import dev.parley.common.AddressGate;
import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import dev.parley.common.UrlSpelling;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs an HTTP tool ({@link HttpRequestPlan}) under the URL rules of knowledge ingestion ({@link AddressGate}: no
 * private, loopback or link-local address unless {@code tool.allow_private_urls}; the host resolved once and the
 * connection made to the checked address; each redirect of a GET checked again, at most {@value #MAX_REDIRECTS}),
 * within the tool's {@code timeout_ms} in total and its {@code max_response_bytes}. The secret headers are
 * decrypted here, for the request only, and go only to the origin of the tool's URL: from a redirect to another
 * origin (scheme, host or port) on, the request carries the plain headers alone. No message this class makes names
 * a header or the URL's query.
 * A 2xx answer is the result; anything else fails with a message for the model.
 */
final class HttpTool {

  static final int MAX_REDIRECTS = 3;

  private final Vertx vertx;
  private final AddressGate gate;
  private final SecretBox secrets;
  private final HttpClientAgent client;

  HttpTool(Vertx vertx, AddressGate gate, SecretBox secrets) {
    this.vertx = vertx;
    this.gate = gate;
    this.secrets = secrets;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setDecompressionSupported(true));
  }

  Future<Void> close() {
    return client.close();
  }

  /** The answer's text, or a failure whose message is for the model ({@link ToolFailure}). */
  Future<String> call(String botId, JsonObject tool, JsonObject arguments) {
    HttpRequestPlan plan;
    try {
      plan = HttpRequestPlan.of(tool, arguments);
    } catch (HttpRequestPlan.Refused refused) {
      return Future.failedFuture(new ToolFailure("invalid_arguments", refused.getMessage()));
    }
    Promise<String> result = Promise.promise();
    AtomicReference<HttpClientRequest> current = new AtomicReference<>();
    long timeoutMs = tool.getLong("timeout_ms", 10_000L);
    long timer = vertx.setTimer(timeoutMs, t -> {
      if (result.tryFail(new ToolFailure("timeout", "The tool did not answer within " + timeoutMs + " ms"))) {
        HttpClientRequest request = current.get();
        if (request != null) {
          request.reset();
        }
      }
    });
    JsonObject plain = tool.getJsonObject("headers", new JsonObject());
    JsonObject headers = plain.copy();
    try {
      for (Map.Entry<String, Object> secret : tool.getJsonObject("secret_headers", new JsonObject())) {
        if (secret.getValue() instanceof JsonObject sealed) {
          headers.put(secret.getKey(), secrets.decrypt(sealed.getString("enc"), botId));
        }
      }
    } catch (RuntimeException unreadable) {
      vertx.cancelTimer(timer);
      return Future.failedFuture(new ToolFailure("tool_misconfigured", "The tool's secret headers cannot be read"));
    }
    hop(plan, plan.url(), new Headers(headers, plain), tool.getInteger("max_response_bytes", 65_536), 0, current, result);
    return result.future().andThen(done -> vertx.cancelTimer(timer));
  }

  /** The headers sent ({@code sent}: at first the plain and the secret ones) and the plain ones alone. */
  private record Headers(JsonObject sent, JsonObject plain) {

    /** What goes to {@code target} after a request to {@code from}: from another origin on, the plain ones only. */
    Headers after(URI from, URI target) {
      boolean sameOrigin = String.valueOf(from.getScheme()).equalsIgnoreCase(String.valueOf(target.getScheme()))
          && String.valueOf(from.getHost()).equalsIgnoreCase(String.valueOf(target.getHost()))
          && AddressGate.port(from) == AddressGate.port(target);
      return sameOrigin ? this : new Headers(plain, plain);
    }

    /** The header names only: the values may be credentials. */
    @Override
    public String toString() {
      return "Headers[sent=" + sent.fieldNames() + ", plain=" + plain.fieldNames() + "]";
    }
  }

  private void hop(HttpRequestPlan plan, String url, Headers headers, int maxBytes, int hops,
      AtomicReference<HttpClientRequest> current, Promise<String> result) {
    URI uri;
    try {
      uri = UrlSpelling.parse(url);
    } catch (ParleyException invalid) {
      result.tryFail(new ToolFailure("url_not_allowed", "The tool's URL is not valid: " + invalid.getMessage()));
      return;
    }
    gate.check(uri).onComplete(checked -> {
      if (result.future().isComplete()) {
        return;
      }
      if (checked.failed()) {
        result.tryFail(new ToolFailure("url_not_allowed", checked.cause() instanceof ParleyException refused
            ? refused.getMessage() : "The tool's address cannot be reached"));
        return;
      }
      boolean https = "https".equalsIgnoreCase(uri.getScheme());
      int port = AddressGate.port(uri);
      String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      boolean firstHop = hops == 0;
      RequestOptions options = new RequestOptions()
          .setMethod(HttpMethod.valueOf(firstHop ? plan.method() : "GET"))
          .setServer(SocketAddress.inetSocketAddress(port, checked.result().getHostAddress()))
          .setHost(uri.getHost()).setPort(port).setURI(path).setSsl(https).setFollowRedirects(false)
          .putHeader("User-Agent", "Parley-Tool/1.0").putHeader("Accept", "application/json, text/*;q=0.9");
      for (Map.Entry<String, Object> header : headers.sent()) {
        options.putHeader(header.getKey(), String.valueOf(header.getValue()));
      }
      String body = firstHop ? plan.body() : null;
      if (body != null) {
        options.putHeader("Content-Type", "application/json");
      }
      client.request(options).compose(request -> {
        current.set(request);
        if (result.future().isComplete()) {
          request.reset();
          return Future.failedFuture("ended");
        }
        return body == null ? request.send() : request.send(Buffer.buffer(body, "UTF-8"));
      }).onComplete(sent -> {
        if (sent.failed()) {
          result.tryFail(new ToolFailure("tool_unreachable", "The tool's server could not be reached"));
        } else {
          respond(plan, uri, headers, maxBytes, hops, sent.result(), current, result);
        }
      });
    });
  }

  private void respond(HttpRequestPlan plan, URI uri, Headers headers, int maxBytes, int hops,
      HttpClientResponse response, AtomicReference<HttpClientRequest> current, Promise<String> result) {
    int status = response.statusCode();
    String location = response.getHeader("Location");
    if (status >= 300 && status < 400 && location != null && plan.method().equals("GET")) {
      response.request().reset();
      if (hops >= MAX_REDIRECTS) {
        result.tryFail(new ToolFailure("tool_failed", "The tool redirected more than " + MAX_REDIRECTS + " times"));
        return;
      }
      URI next;
      try {
        next = uri.resolve(location.strip());
      } catch (RuntimeException bad) {
        result.tryFail(new ToolFailure("tool_failed", "The tool redirected to an invalid address"));
        return;
      }
      hop(plan, next.toString(), headers.after(uri, next), maxBytes, hops + 1, current, result);
      return;
    }
    ResponseBody.read(response, maxBytes, "tool").onComplete(read -> {
      if (read.failed()) {
        result.tryFail(read.cause());
        return;
      }
      String text = read.result();
      if (status >= 200 && status < 300) {
        result.tryComplete(text);
      } else {
        result.tryFail(new ToolFailure("tool_failed", "The tool answered HTTP " + status
            + (text.isBlank() ? "" : ": " + ToolFailure.shorten(text, 500))));
      }
    });
  }
}
