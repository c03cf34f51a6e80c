package dev.parley.provider;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The HTTP side shared by the vendor providers: one keep-alive client per verticle instance,
 * JSON requests through the {@link WebClient}, and event streams parsed as they arrive. Every
 * failure comes out as a {@link ProviderFailure}; upstream bodies are read only to classify
 * an error and are never logged or passed on.
 */
final class UpstreamHttp {

  /** Turns a non-2xx answer into a failure; {@code body} is the parsed error JSON, or null. */
  interface ErrorReader {
    ProviderFailure read(int status, long retryAfterMs, JsonObject body);
  }

  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final Vertx vertx;
  private final HttpClient http;
  private final WebClient web;
  private final long connectTimeoutMs;
  private final long idleTimeoutMs;

  UpstreamHttp(Vertx vertx, ProviderSettings settings) {
    this.vertx = vertx;
    this.connectTimeoutMs = settings.connectTimeoutMs();
    this.idleTimeoutMs = settings.idleTimeoutMs();
    HttpClientOptions options = new HttpClientOptions()
        .setKeepAlive(true)
        .setKeepAliveTimeout(60)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeoutMs))
        .setTcpNoDelay(true);
    // The idle timeout is set per request (below), where it fails the call with a TimeoutException;
    // a connection-level one would close the socket and look like a connection error instead.
    if (settings.http2()) {
      options.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true).setHttp2ClearTextUpgrade(false);
    }
    this.http = vertx.createHttpClient(options, new PoolOptions()
        .setHttp1MaxSize(settings.maxConnections())
        .setHttp2MaxSize(settings.http2Connections()));
    // Streams use this core client directly: BodyCodec.pipe would pipe error bodies too, and only
    // report the status once the whole body has gone through.
    this.web = WebClient.wrap(http, new WebClientOptions().setUserAgent("Parley"));
  }

  Future<JsonObject> postJson(String url, MultiMap headers, JsonObject body, ErrorReader errors) {
    return web.postAbs(url)
        .putHeaders(headers)
        .connectTimeout(connectTimeoutMs)
        .idleTimeout(idleTimeoutMs)
        .sendJsonObject(body)
        .recover(failure -> Future.failedFuture(ProviderFailure.classify(failure, false)))
        .compose(response -> {
          if (response.statusCode() / 100 != 2) {
            return Future.failedFuture(errors.read(response.statusCode(), retryAfterMs(response.headers()),
                errorJson(response.body())));
          }
          return Future.succeededFuture(json(response));
        });
  }

  Future<Completion> postStream(String url, MultiMap headers, JsonObject body, ErrorReader errors,
      StreamDecoder decoder, ModelCall call) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(url)
        .setHeaders(headers)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.ACCEPT, "text/event-stream")
        .putHeader(HttpHeaders.USER_AGENT, "Parley")
        .setIdleTimeout(idleTimeoutMs);
    options.setConnectTimeout(connectTimeoutMs);
    Promise<Completion> result = Promise.promise();
    http.request(options)
        .compose(request -> {
          call.cancelled().onComplete(cancelled -> request.reset());
          return request.send(body.toBuffer());
        })
        .onFailure(failure -> result.tryFail(ProviderFailure.classify(failure, decoder.delivered())))
        .onSuccess(response -> read(response, errors, decoder, result));
    return result.future();
  }

  private void read(HttpClientResponse response, ErrorReader errors, StreamDecoder decoder,
      Promise<Completion> result) {
    if (response.statusCode() / 100 != 2) {
      long retryAfter = retryAfterMs(response.headers());
      response.body().onComplete(body -> result.tryFail(errors.read(response.statusCode(), retryAfter,
          body.succeeded() ? errorJson(body.result()) : null)));
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

  private static JsonObject json(HttpResponse<Buffer> response) {
    Buffer body = response.body();
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
    if (body == null || body.length() == 0 || body.length() > MAX_ERROR_BODY) {
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
