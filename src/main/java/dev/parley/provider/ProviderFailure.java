package dev.parley.provider;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.NotSslRecordException;
import io.vertx.core.VertxException;
import io.vertx.core.json.DecodeException;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * What went wrong talking to a model API, classified once so that the retry policy and the
 * final error share one vocabulary. It never carries an upstream body, header or key: its
 * message is ours, and {@link #toParley(String)} turns it into the safe failure a caller sees.
 */
public final class ProviderFailure extends RuntimeException {

  /** The kinds of failure, each with one retry rule and one final code. */
  public enum Kind {
    /** A non-2xx answer. */
    HTTP,
    /** The account has no credit left: retrying cannot help. */
    QUOTA,
    /** Refused, reset or closed before any answer. */
    CONNECTION,
    /** No TCP connection within the connect timeout. */
    CONNECT_TIMEOUT,
    /** No data within the idle timeout, or the whole call ran out of time. */
    TIMEOUT,
    /** A body or event we could not understand. */
    PROTOCOL,
    /** An error event inside a 200 stream. */
    IN_BAND,
    /** The stream broke after deltas had been sent: too late to retry. */
    STREAM_BROKEN,
    /** Not attempted: the provider's circuit breaker is open after repeated failures. */
    CIRCUIT_OPEN,
    /** The TLS handshake failed: an untrusted or expired certificate, a host name mismatch, or no TLS at all. */
    TLS,
    /** The answer grew past Parley's own cap ({@code max_answer_chars}); the upstream request was stopped. */
    TOO_LONG,
    /** The visitor went away mid-stream and Parley stopped the upstream request. */
    CANCELLED
  }

  private final Kind kind;
  private final int upstreamStatus;
  private final long retryAfterMs;

  private ProviderFailure(Kind kind, int upstreamStatus, long retryAfterMs, String message) {
    super(message, null, false, false);
    this.kind = kind;
    this.upstreamStatus = upstreamStatus;
    this.retryAfterMs = retryAfterMs;
  }

  /** A non-2xx status; {@code retryAfterMs} is negative when the upstream gave no Retry-After. */
  public static ProviderFailure http(int status, long retryAfterMs) {
    return new ProviderFailure(Kind.HTTP, status, retryAfterMs, "upstream answered HTTP " + status);
  }

  public static ProviderFailure quota(int status) {
    return new ProviderFailure(Kind.QUOTA, status, -1, "upstream quota exhausted (HTTP " + status + ")");
  }

  public static ProviderFailure connection(String what) {
    return new ProviderFailure(Kind.CONNECTION, 0, -1, what);
  }

  public static ProviderFailure timeout(String what) {
    return new ProviderFailure(Kind.TIMEOUT, 0, -1, what);
  }

  public static ProviderFailure protocol(String what) {
    return new ProviderFailure(Kind.PROTOCOL, 0, -1, what);
  }

  public static ProviderFailure inBand() {
    return new ProviderFailure(Kind.IN_BAND, 0, -1, "error event in the stream");
  }

  public static ProviderFailure streamBroken(String what) {
    return new ProviderFailure(Kind.STREAM_BROKEN, 0, -1, what);
  }

  public static ProviderFailure tls() {
    return new ProviderFailure(Kind.TLS, 0, -1, "TLS handshake failed");
  }

  public static ProviderFailure tooLong(int maxChars) {
    return new ProviderFailure(Kind.TOO_LONG, 0, -1, "answer longer than " + maxChars + " characters");
  }

  public static ProviderFailure cancelled() {
    return new ProviderFailure(Kind.CANCELLED, 0, -1, "cancelled: the client went away");
  }

  /** The circuit is open; {@code retryAfterMs} is the time until it lets a probe call through. */
  public static ProviderFailure circuitOpen(long retryAfterMs) {
    return new ProviderFailure(Kind.CIRCUIT_OPEN, 0, retryAfterMs, "circuit open");
  }

  /**
   * Classifies any failure of an attempt. Once a delta has reached the caller, a broken
   * connection or an error event is a broken stream, which is never retried.
   */
  public static ProviderFailure classify(Throwable failure, boolean deltasDelivered) {
    ProviderFailure classified = classify(failure);
    if (deltasDelivered && (classified.kind == Kind.CONNECTION || classified.kind == Kind.IN_BAND)) {
      return streamBroken("stream broken after deltas: " + classified.getMessage());
    }
    return classified;
  }

  private static ProviderFailure classify(Throwable failure) {
    if (failure instanceof ProviderFailure provider) {
      return provider;
    }
    if (failure instanceof ConnectTimeoutException) {
      return new ProviderFailure(Kind.CONNECT_TIMEOUT, 0, -1, "connect timeout");
    }
    if (failure instanceof TimeoutException) {
      // the request's connect timeout (connection and TLS handshake) or its idle timeout
      return timeout("timed out connecting or waiting for data");
    }
    if (failure instanceof DecodeException || failure instanceof ClassCastException) {
      return protocol("unreadable upstream JSON");
    }
    if (isTls(failure)) {
      // never retried, and never over plain HTTP: the URL's scheme alone decides
      return tls();
    }
    if (failure instanceof IOException || failure instanceof VertxException) {
      // refused, reset, closed, DNS: the exception class says enough and never holds a secret
      return connection("connection failed: " + failure.getClass().getSimpleName());
    }
    return protocol("unexpected upstream answer: " + failure.getClass().getSimpleName());
  }

  /** Whether the failure, or one of its causes, is a TLS failure (the JDK's or Netty's). */
  private static boolean isTls(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SSLException || t instanceof NotSslRecordException || t instanceof CertificateException) {
        return true;
      }
    }
    return false;
  }

  public Kind kind() {
    return kind;
  }

  /** The upstream HTTP status, or 0 when there was none. */
  public int upstreamStatus() {
    return upstreamStatus;
  }

  /** The delay the upstream asked for, or a negative number when it asked for none. */
  public long retryAfterMs() {
    return retryAfterMs;
  }

  public boolean isRateLimit() {
    return kind == Kind.HTTP && upstreamStatus == 429;
  }

  /** Whether another attempt could succeed (the retry policy adds its limits on top). */
  public boolean retryable() {
    return switch (kind) {
      case HTTP -> upstreamStatus == 429 || upstreamStatus == 408 || upstreamStatus >= 500;
      case CONNECTION, IN_BAND -> true;
      // a host that let the connect time out (blackholed) will not answer the next SYN either
      case CONNECT_TIMEOUT, QUOTA, TIMEOUT, PROTOCOL, STREAM_BROKEN, CIRCUIT_OPEN, TLS, TOO_LONG, CANCELLED -> false;
    };
  }

  /**
   * Whether the failure says the provider itself is unwell, so that it counts towards opening
   * its circuit: 5xx (529 included), 408, a 429 still there after the retries, connection
   * failures, timeouts, unreadable answers, in-band errors and broken streams. A 4xx caused by
   * the request or the key, and an exhausted quota, are the caller's business and do not count.
   */
  public boolean countsAgainstProvider() {
    return switch (kind) {
      case HTTP -> upstreamStatus == 429 || upstreamStatus == 408 || upstreamStatus >= 500;
      case CONNECTION, CONNECT_TIMEOUT, TIMEOUT, PROTOCOL, IN_BAND, STREAM_BROKEN, TOO_LONG -> true;
      // a certificate problem, like a refused key, is the operator's to fix: it does not open the circuit
      case QUOTA, CIRCUIT_OPEN, TLS, CANCELLED -> false;
    };
  }

  /**
   * Whether a bot's fallback provider should take over (only ever before any delta went out):
   * the provider is unwell, its circuit is open, its account is out of quota, or it cannot be reached over
   * trusted TLS.
   */
  public boolean callsForFallback() {
    return kind != Kind.STREAM_BROKEN
        && (countsAgainstProvider() || kind == Kind.QUOTA || kind == Kind.CIRCUIT_OPEN || kind == Kind.TLS);
  }

  /**
   * Whether Parley, not the upstream, ended the attempt (its deadline or idle watchdog, the length cap, the
   * visitor leaving): what the model had spent on it up to then counts.
   */
  public boolean stoppedByParley() {
    return kind == Kind.TIMEOUT || kind == Kind.TOO_LONG || kind == Kind.CANCELLED;
  }

  /** The failure the caller sees; {@code provider} names the vendor in the message. */
  public ParleyException toParley(String provider) {
    return switch (kind) {
      case HTTP -> fromStatus(provider);
      case QUOTA -> new ParleyException(ErrorCodes.UNAVAILABLE, "provider_quota_exhausted",
          "The " + provider + " account has run out of credit or quota", null, 0);
      case CONNECTION -> new ParleyException(ErrorCodes.BAD_GATEWAY, "provider_unavailable",
          "Could not reach the " + provider + " API", null, 0);
      case CONNECT_TIMEOUT, TIMEOUT -> new ParleyException(ErrorCodes.GATEWAY_TIMEOUT, "provider_timeout",
          "The " + provider + " API did not answer in time", null, 0);
      case PROTOCOL -> new ParleyException(ErrorCodes.BAD_GATEWAY, "provider_protocol_error",
          "The " + provider + " API sent an answer Parley could not read", null, 0);
      case IN_BAND -> new ParleyException(ErrorCodes.BAD_GATEWAY, "provider_unavailable",
          "The " + provider + " API reported an error while answering", null, 0);
      case STREAM_BROKEN -> new ParleyException(ErrorCodes.BAD_GATEWAY, "provider_stream_broken",
          "The " + provider + " answer stream broke off before it was complete", null, 0);
      case CIRCUIT_OPEN -> new ParleyException(ErrorCodes.UNAVAILABLE, "provider_circuit_open",
          "The " + provider + " API has been failing, so Parley is not calling it for a while; try again later",
          null, Math.max(1, (retryAfterMs + 999) / 1000));
      case TLS -> new ParleyException(ErrorCodes.BAD_GATEWAY, "provider_tls_error",
          "Parley could not open a trusted TLS connection to the " + provider
              + " API (untrusted certificate or host name mismatch); check the bot's base URL", null, 0);
      case TOO_LONG -> new ParleyException(ErrorCodes.BAD_GATEWAY, "provider_answer_too_long",
          "The " + provider + " answer grew past Parley's length limit and was cut off", null, 0);
      case CANCELLED -> new ParleyException(ErrorCodes.CLIENT_CLOSED_REQUEST, "client_disconnected",
          "The visitor left before the answer was complete; the " + provider + " request was stopped", null, 0);
    };
  }

  private ParleyException fromStatus(String provider) {
    if (upstreamStatus == 401 || upstreamStatus == 403) {
      return new ParleyException(ErrorCodes.BAD_GATEWAY, "provider_auth_failed",
          "The " + provider + " API refused the API key (HTTP " + upstreamStatus + ")", null, 0);
    }
    if (upstreamStatus == 429) {
      long seconds = retryAfterMs > 0 ? (retryAfterMs + 999) / 1000 : 5;
      return new ParleyException(ErrorCodes.UNAVAILABLE, "provider_rate_limited",
          "The " + provider + " API is rate limiting requests; try again later", null, seconds);
    }
    if (upstreamStatus >= 500 || upstreamStatus == 408) {
      return new ParleyException(ErrorCodes.BAD_GATEWAY, "provider_unavailable",
          "The " + provider + " API is unavailable (HTTP " + upstreamStatus + ")", null, 0);
    }
    return new ParleyException(ErrorCodes.BAD_GATEWAY, "provider_rejected",
        "The " + provider + " API rejected the request (HTTP " + upstreamStatus + "); check the bot's model and settings",
        null, 0);
  }
}
