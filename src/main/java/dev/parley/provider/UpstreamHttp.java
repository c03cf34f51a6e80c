package dev.parley.provider;

import dev.parley.common.JsonBytes;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.security.KeyStore;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The HTTP side shared by the vendor providers: one keep-alive client per verticle instance,
 * JSON requests and event streams, both read as they arrive with a cap on what is kept. Every
 * failure comes out as a {@link ProviderFailure}; upstream bodies are read only to classify
 * an error and are never logged or passed on.
 *
 * <p>Nothing an upstream sends can make Parley hold more than it asked for: a JSON answer is read up
 * to six bytes per allowed character plus 64 KiB, an error body up to 64 KiB, a stream's text up to
 * {@code max_answer_chars}; past that the request is reset (its connection closed) and the call fails.
 * TLS is whatever the URL's scheme says: an {@code https} base URL that fails its handshake fails the
 * call, and no attempt is ever made over plain HTTP.
 */
final class UpstreamHttp {

  /** Turns a non-2xx answer into a failure; {@code body} is the parsed error JSON, or null. */
  interface ErrorReader {
    ProviderFailure read(int status, long retryAfterMs, JsonObject body);
  }

  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final AtomicBoolean TLS_READY = new AtomicBoolean();

  private final Vertx vertx;
  private final HttpClient http;
  private final long connectTimeoutMs;
  private final long idleTimeoutMs;
  private final int maxAnswerChars;
  private final long maxJsonBytes;

  UpstreamHttp(Vertx vertx, ProviderSettings settings) {
    this.vertx = vertx;
    this.connectTimeoutMs = settings.connectTimeoutMs();
    this.idleTimeoutMs = settings.idleTimeoutMs();
    this.maxAnswerChars = settings.maxAnswerChars();
    this.maxJsonBytes = 6L * maxAnswerChars + 64 * 1024;
    HttpClientOptions options = new HttpClientOptions()
        .setKeepAlive(true)
        .setKeepAliveTimeout(60)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeoutMs))
        .setTcpNoDelay(true)
        .setVerifyHost(true)
        .setTrustAll(false);
    // The idle timeout is set per request (below), where it fails the call with a TimeoutException;
    // a connection-level one would close the socket and look like a connection error instead.
    if (settings.http2()) {
      options.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true).setHttp2ClearTextUpgrade(false);
    }
    this.http = vertx.createHttpClient(options, new PoolOptions()
        .setHttp1MaxSize(settings.maxConnections())
        .setHttp2MaxSize(settings.http2Connections()));
  }

  /**
   * Loads the JDK's TLS machinery (provider, default context, trusted CA certificates) on a worker thread,
   * once per process: the first {@code https} call would otherwise do it on the event loop, blocking it for
   * hundreds of milliseconds.
   */
  static Future<Void> warmUpTls(Vertx vertx) {
    if (!TLS_READY.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      SSLContext.getDefault().createSSLEngine("warm-up.invalid", 443).getSupportedCipherSuites();
      TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).init((KeyStore) null);
      return null;
    });
  }

  /** A JSON request; {@code meter} learns when it went out. */
  Future<JsonObject> postJson(String url, MultiMap headers, JsonObject body, ErrorReader errors, Meter meter) {
    Promise<JsonObject> result = Promise.promise();
    http.request(options(url, headers, "application/json"))
        .compose(request -> {
          meter.sent();
          return request.send(JsonBytes.of(body));
        })
        .onFailure(failure -> result.tryFail(ProviderFailure.classify(failure, false)))
        .onSuccess(response -> {
          int status = response.statusCode();
          if (status / 100 != 2) {
            long retryAfter = retryAfterMs(response.headers());
            readCapped(response, MAX_ERROR_BODY).onComplete(read -> result.tryFail(errors.read(status, retryAfter,
                read.succeeded() ? errorJson(read.result()) : null)));
            return;
          }
          readCapped(response, maxJsonBytes).onComplete(read -> {
            if (read.failed()) {
              result.tryFail(ProviderFailure.classify(read.cause(), false));
              return;
            }
            try {
              result.tryComplete(json(read.result()));
            } catch (ProviderFailure unreadable) {
              result.tryFail(unreadable);
            }
          });
        });
    return result.future();
  }

  Future<Completion> postStream(String url, MultiMap headers, JsonObject body, ErrorReader errors,
      StreamDecoder decoder, ModelCall call) {
    decoder.limit(maxAnswerChars);
    Promise<Completion> result = Promise.promise();
    http.request(options(url, headers, "text/event-stream"))
        .compose(request -> {
          call.cancelled().onComplete(cancelled -> request.reset());
          decoder.meter().sent();
          return request.send(JsonBytes.of(body));
        })
        .onFailure(failure -> result.tryFail(ProviderFailure.classify(failure, decoder.delivered())))
        .onSuccess(response -> read(response, errors, decoder, result));
    return result.future();
  }

  private RequestOptions options(String url, MultiMap headers, String accept) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(url)
        .setHeaders(headers)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.ACCEPT, accept)
        .putHeader(HttpHeaders.USER_AGENT, "Parley")
        .setIdleTimeout(idleTimeoutMs);
    options.setConnectTimeout(connectTimeoutMs);
    return options;
  }

  /**
   * A response body, read with the idle watchdog, up to {@code maxBytes}: past that the request is reset
   * and the read fails with {@link ProviderFailure#tooLong}.
   */
  private Future<Buffer> readCapped(HttpClientResponse response, long maxBytes) {
    Promise<Buffer> body = Promise.promise();
    Buffer buffer = Buffer.buffer();
    IdleWatch idle = new IdleWatch(() -> {
      if (body.tryFail(ProviderFailure.timeout("body idle timeout"))) {
        response.request().reset();
      }
    });
    body.future().onComplete(done -> idle.stop());
    response.handler(chunk -> {
      if (body.future().isComplete()) {
        return;
      }
      idle.touch();
      if (buffer.length() + (long) chunk.length() > maxBytes) {
        body.tryFail(ProviderFailure.tooLong(maxAnswerChars));
        response.request().reset();
        return;
      }
      buffer.appendBuffer(chunk);
    });
    response.exceptionHandler(body::tryFail);
    response.endHandler(end -> body.tryComplete(buffer));
    return body.future();
  }

  private void read(HttpClientResponse response, ErrorReader errors, StreamDecoder decoder,
      Promise<Completion> result) {
    if (response.statusCode() / 100 != 2) {
      long retryAfter = retryAfterMs(response.headers());
      readCapped(response, MAX_ERROR_BODY).onComplete(body -> result.tryFail(errors.read(response.statusCode(),
          retryAfter, body.succeeded() ? errorJson(body.result()) : null)));
      return;
    }
    String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && !type.toLowerCase().contains("event-stream")) {
      response.request().reset();
      result.tryFail(ProviderFailure.protocol("expected an event stream"));
      return;
    }
    // The request's idle timeout stops at the response headers: the body gets its own watchdog.
    IdleWatch idle = new IdleWatch(() -> {
      if (result.tryFail(ProviderFailure.timeout("stream idle timeout"))) {
        response.request().reset();
      }
    });
    result.future().onComplete(done -> idle.stop());
    SseParser parser = new SseParser(event -> {
      if (!result.future().isComplete()) {
        decoder.accept(event);
      }
    });
    response.handler(chunk -> {
      if (result.future().isComplete()) {
        return;
      }
      idle.touch();
      try {
        parser.feed(chunk);
      } catch (RuntimeException failure) {
        result.tryFail(ProviderFailure.classify(failure, decoder.delivered()));
        response.request().reset();
      }
    });
    response.exceptionHandler(failure -> result.tryFail(ProviderFailure.classify(failure, decoder.delivered())));
    response.endHandler(end -> {
      if (result.future().isComplete()) {
        return;
      }
      try {
        parser.end();
      } catch (RuntimeException failure) {
        result.tryFail(ProviderFailure.classify(failure, decoder.delivered()));
        return;
      }
      if (decoder.finished()) {
        result.tryComplete(decoder.result());
      } else if (decoder.delivered()) {
        result.tryFail(ProviderFailure.streamBroken("stream ended before the answer was complete"));
      } else {
        result.tryFail(ProviderFailure.protocol("stream ended without an answer"));
      }
    });
  }

  /** Fails a stream that sends nothing for the idle timeout. */
  private final class IdleWatch {

    private final Runnable onIdle;
    private long timer;

    IdleWatch(Runnable onIdle) {
      this.onIdle = onIdle;
      this.timer = vertx.setTimer(idleTimeoutMs, t -> onIdle.run());
    }

    void touch() {
      if (vertx.cancelTimer(timer)) {
        timer = vertx.setTimer(idleTimeoutMs, t -> onIdle.run());
      }
    }

    void stop() {
      vertx.cancelTimer(timer);
    }
  }

  Future<Void> close() {
    return http.close();
  }

  private static JsonObject json(Buffer body) {
    if (body == null || body.length() == 0) {
      throw ProviderFailure.protocol("empty body");
    }
    try {
      return body.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw ProviderFailure.protocol("unreadable JSON body");
    }
  }

  private static JsonObject errorJson(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      return body.toJsonObject();
    } catch (DecodeException | ClassCastException notJson) {
      return null;
    }
  }

  /** {@code retry-after-ms} (OpenAI) or {@code Retry-After} in seconds or as a date; -1 if absent. */
  static long retryAfterMs(MultiMap headers) {
    String millis = headers.get("retry-after-ms");
    if (millis != null) {
      try {
        return Math.max(0, (long) Double.parseDouble(millis.trim()));
      } catch (NumberFormatException ignored) {
        // fall back to Retry-After
      }
    }
    String value = headers.get(HttpHeaders.RETRY_AFTER);
    if (value == null || value.isBlank()) {
      return -1;
    }
    try {
      return Math.max(0, (long) (Double.parseDouble(value.trim()) * 1000));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis());
      } catch (DateTimeParseException notDate) {
        return -1;
      }
    }
  }
}
