package dev.parley.common;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns failures into safe event-bus replies and back. Only {@link ParleyException}s keep
 * their message; anything else (a driver error, a bug) is logged here and replaced by a
 * generic 500, so no SQL or library message reaches a client; a database that cannot serve
 * right now (full, locked, connection dropped: {@link StorageFailures}) is a 503
 * {@code storage_unavailable} instead. A bus failure whose message is
 * not Parley's JSON error (a handler outside Parley failing with plain text) keeps its status but
 * not its text: 4xx/5xx {@code component_failed}.
 */
public final class Failures {

  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  private Failures() {
  }

  public static void reply(Message<?> message, Throwable failure) {
    ParleyException safe = safe(failure, message.address());
    message.fail(safe.status(), safe.toBusJson().encode());
  }

  public static ParleyException safe(Throwable failure, String where) {
    if (failure instanceof ParleyException parley) {
      return parley;
    }
    if (failure instanceof ReplyException reply) {
      return fromReply(reply);
    }
    if (StorageFailures.isUnavailable(failure)) {
      LOG.warn("The database could not serve {}: {}", where, StorageFailures.reason(failure));
      return StorageFailures.unavailable("The database is unavailable right now; try again shortly");
    }
    LOG.error("Unexpected failure in {}", where, failure);
    return ParleyException.internal();
  }

  /** The failure a caller sees for a failed request. */
  public static ParleyException fromReply(ReplyException reply) {
    switch (reply.failureType()) {
      case TIMEOUT:
        return new ParleyException(ErrorCodes.GATEWAY_TIMEOUT, "timeout", "A Parley service did not answer in time");
      case NO_HANDLERS:
        return new ParleyException(ErrorCodes.UNAVAILABLE, "service_unavailable", "No Parley node serves this request right now");
      default:
        return decode(reply.failureCode(), reply.getMessage());
    }
  }

  private static ParleyException decode(int code, String message) {
    if (message != null && message.startsWith("{")) {
      try {
        return ParleyException.fromJson(code, new JsonObject(message));
      } catch (DecodeException notJson) {
        // fall through: a handler outside Parley failed with a plain text message
      }
    }
    // A handler outside Parley failed with plain text: that may be anything (an exception, a path, a
    // query), so the client gets a generic message and the text goes to the log only.
    int status = code >= 400 && code < 600 ? code : ErrorCodes.INTERNAL;
    LOG.warn("A bus handler failed with code {} and a plain-text message (not shown to the client): {}", code,
        message == null ? "" : message.length() > 300 ? message.substring(0, 300) + "…" : message);
    return new ParleyException(status, "component_failed", "A Parley component failed to handle the request");
  }
}
