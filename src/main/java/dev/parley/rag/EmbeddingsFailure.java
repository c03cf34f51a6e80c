package dev.parley.rag;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Why one call to an embeddings API failed: an HTTP status (with the Retry-After it asked for and the vendor's
 * error code), a timeout, or no connection; whether it is worth retrying, and how it is told to an operator.
 */
final class EmbeddingsFailure extends RuntimeException {

  private final int status;
  private final long retryAfterMs;
  private final String code;
  private final boolean timeout;

  private EmbeddingsFailure(int status, long retryAfterMs, String code, boolean timeout) {
    super("embeddings " + (timeout ? "timeout" : status == 0 ? "connection failed" : "HTTP " + status), null, false,
        false);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
    this.code = code;
    this.timeout = timeout;
  }

  /** No answer: the connection failed or the request timed out. */
  static EmbeddingsFailure connection(Throwable failure) {
    return new EmbeddingsFailure(0, -1, null, isTimeout(failure));
  }

  /** An answer that is not a 2xx. */
  static EmbeddingsFailure answered(HttpResponse<Buffer> response) {
    return new EmbeddingsFailure(response.statusCode(), retryAfterMs(response), errorCode(response), false);
  }

  /** The wait the server asked for, or -1. */
  long retryAfterMs() {
    return retryAfterMs;
  }

  boolean retryable() {
    if (status == 429) {
      return !"insufficient_quota".equals(code);
    }
    return timeout || status == 0 || status == 408 || status >= 500;
  }

  /** The failure of the last attempt, in words for an operator. */
  ParleyException explain(int attempts, long timeoutMs, String where, String model) {
    String tries = attempts > 1 ? " after " + attempts + " attempts" : "";
    if (timeout) {
      return new ParleyException(ErrorCodes.GATEWAY_TIMEOUT, "embeddings_timeout",
          "The embeddings API did not answer within " + timeoutMs + " ms" + tries);
    }
    if (status == 0) {
      return new ParleyException(ErrorCodes.BAD_GATEWAY, "embeddings_unavailable",
          "The embeddings API at " + where + " could not be reached" + tries);
    }
    if (status == 401 || status == 403) {
      return new ParleyException(ErrorCodes.BAD_GATEWAY, "embeddings_auth_failed", "The embeddings API refused the "
          + "API key (HTTP " + status + "); check rag.embeddings.api_key");
    }
    if (status == 429 && "insufficient_quota".equals(code)) {
      return new ParleyException(ErrorCodes.BAD_GATEWAY, "embeddings_quota_exhausted",
          "The embeddings API account is out of quota (HTTP 429 insufficient_quota)");
    }
    if (status == 429) {
      return new ParleyException(ErrorCodes.UNAVAILABLE, "embeddings_rate_limited",
          "The embeddings API is rate limiting Parley (HTTP 429)" + tries + "; try again later");
    }
    if (status >= 500 || status == 408) {
      return new ParleyException(ErrorCodes.BAD_GATEWAY, "embeddings_unavailable",
          "The embeddings API failed (HTTP " + status + ")" + tries);
    }
    return new ParleyException(ErrorCodes.BAD_GATEWAY, "embeddings_rejected", "The embeddings API rejected the "
        + "request (HTTP " + status + (status == 404 ? ", model not found" : "")
        + "); check rag.embeddings.model (" + model + ") and base_url");
  }

  private static boolean isTimeout(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof io.netty.handler.timeout.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** {@code retry-after-ms} (OpenAI's), else {@code Retry-After} in seconds; -1 when neither is usable. */
  private static long retryAfterMs(HttpResponse<Buffer> response) {
    try {
      String ms = response.getHeader("retry-after-ms");
      if (ms != null) {
        return Math.max(0, (long) Double.parseDouble(ms.trim()));
      }
      String seconds = response.getHeader("retry-after");
      if (seconds != null) {
        return Math.max(0, (long) (Double.parseDouble(seconds.trim()) * 1000));
      }
    } catch (NumberFormatException httpDate) {
      // an HTTP date: back off as usual
    }
    return -1;
  }

  /** The vendor's error code ({@code error.code}, else {@code error.type}), only to tell quota from rate limits. */
  private static String errorCode(HttpResponse<Buffer> response) {
    try {
      JsonObject error = response.body() == null ? null : response.body().toJsonObject().getJsonObject("error");
      if (error == null) {
        return null;
      }
      Object named = error.getValue("code");
      String value = named instanceof String s ? s : error.getString("type");
      return value == null ? null : value.toLowerCase(Locale.ROOT);
    } catch (RuntimeException unreadable) {
      return null;
    }
  }
}
