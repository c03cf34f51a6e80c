package dev.parley.http;

import dev.parley.common.BotClient;
import dev.parley.common.Bus;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a turn's provider outcome means beyond the turn: the error the visitor sees, and the bot's
 * admin-visible {@code provider_status}.
 *
 * <p>Visitors learn nothing about the operator's account or setup: an exhausted quota, a refused key, a
 * request the provider rejected (400, 404), a missing or unreadable key all reach them as the same
 * 503 {@code bot_unavailable}. The turn is stored with the specific code, which operators see in the
 * conversation log, next to the bot's provider status.
 *
 * <p>Failures only the operator can fix set the bot's {@code provider_status} {@code {code, message, at}}:
 * {@code provider_quota_exhausted}, {@code provider_key_invalid} (the provider refused the key: 401/403,
 * {@code provider_auth_failed}) and {@code provider_tls_error}. An answer from the bot's own provider clears
 * it; an answer from its fallback records the bot's provider's failure when it is one of those. A status
 * already recorded with the same code is left as it is, so a broken bot costs one write, not one per turn.
 */
final class ProviderHealth {

  private static final Logger LOG = LoggerFactory.getLogger(ProviderHealth.class);

  /** The turn's error code → the bot's provider status code. */
  private static final Map<String, String> STATUS = Map.of(
      "provider_quota_exhausted", "provider_quota_exhausted",
      "provider_auth_failed", "provider_key_invalid",
      "provider_tls_error", "provider_tls_error");

  /** Errors about the operator's account or configuration, none of the visitor's business. */
  private static final Set<String> OPERATOR_ONLY = Set.of("provider_quota_exhausted", "provider_auth_failed",
      "provider_rejected", "provider_not_configured", "secret_unreadable");

  /** Errors after which sending the same message again may well work. */
  private static final Set<String> RETRYABLE = Set.of("provider_timeout", "provider_rate_limited",
      "provider_unavailable", "provider_circuit_open", "provider_stream_broken", "provider_protocol_error", "timeout",
      "service_unavailable", ErrorCodes.PROVIDER_NODE_LOST, ErrorCodes.NODE_LOST);

  private ProviderHealth() {
  }

  /** The error as the visitor sees it. */
  static ParleyException forVisitor(ParleyException error) {
    return OPERATOR_ONLY.contains(error.code())
        ? new ParleyException(ErrorCodes.UNAVAILABLE, "bot_unavailable",
            "This assistant cannot answer right now. Please try again later.")
        : error;
  }

  /** The data of a stream's {@code error} event: the visitor's error and whether trying again may work. */
  static JsonObject streamError(ParleyException error) {
    ParleyException shown = forVisitor(error);
    return shown.toJson().put("retryable", RETRYABLE.contains(shown.code()));
  }

  /** Records the bot's provider status after a failed turn, when the failure is one only the operator can fix. */
  static Future<Void> afterFailure(Bus bus, Timeouts timeouts, Turn turn, ParleyException error) {
    return record(bus, timeouts, turn, status(error.code(), error.getMessage()));
  }

  /**
   * After an answer: the bot's own provider answered, so its status (if any) is cleared; or its fallback
   * answered, and the bot's provider's failure is recorded when it is one only the operator can fix.
   */
  static Future<Void> afterAnswer(Bus bus, Timeouts timeouts, Turn turn, JsonObject answer) {
    if (answer.getBoolean(Fields.FALLBACK, false)) {
      JsonObject primary = answer.getValue(Fields.PRIMARY_ERROR) instanceof JsonObject p ? p : new JsonObject();
      return record(bus, timeouts, turn, status(primary.getString("code"), primary.getString("message")));
    }
    return turn.providerStatus() == null ? Future.succeededFuture() : write(bus, timeouts, turn, null);
  }

  private static JsonObject status(String code, String message) {
    String status = code == null ? null : STATUS.get(code);
    return status == null ? null : new JsonObject().put("code", status).put("message", message == null ? "" : message);
  }

  private static Future<Void> record(Bus bus, Timeouts timeouts, Turn turn, JsonObject status) {
    JsonObject current = turn.providerStatus();
    if (status == null || (current != null && status.getString("code").equals(current.getString("code")))) {
      return Future.succeededFuture();
    }
    return write(bus, timeouts, turn, status);
  }

  /** Never fails the turn: a status that could not be written is logged and shows on a later turn. */
  private static Future<Void> write(Bus bus, Timeouts timeouts, Turn turn, JsonObject status) {
    return new BotClient(bus, timeouts).providerStatus(turn.botId(), status)
        .<Void>mapEmpty()
        .recover(failure -> {
          LOG.warn("[{}] The provider status of bot {} could not be {}: {}", bus.requestId(), turn.botId(),
              status == null ? "cleared" : "set to " + status.getString("code"), failure.getMessage());
          return Future.succeededFuture();
        });
  }
}
