package dev.parley.chat;

import dev.parley.common.BotClient;
import dev.parley.common.Fields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the turn's provider outcome means for the bot: its admin-visible {@code provider_status}.
 *
 * <p>Failures only the operator can fix set the bot's {@code provider_status} {@code {code, message, at}}:
 * {@code provider_quota_exhausted}, {@code provider_key_invalid} (the provider refused the key: 401/403,
 * {@code provider_auth_failed}) and {@code provider_tls_error}. An answer from the bot's own provider clears
 * it; an answer from its fallback records the bot's provider's failure when it is one of those. A status
 * already recorded with the same code is left as it is, so a broken bot costs one write, not one per turn.
 * Never fails the turn; skipped when no model was asked.
 */
final class ProviderHealth implements Step {

  private static final Logger LOG = LoggerFactory.getLogger(ProviderHealth.class);

  /** The turn's error code → the bot's provider status code. */
  private static final Map<String, String> STATUS = Map.of(
      "provider_quota_exhausted", "provider_quota_exhausted",
      "provider_auth_failed", "provider_key_invalid",
      "provider_tls_error", "provider_tls_error");

  private final BotClient bots;

  ProviderHealth(BotClient bots) {
    this.bots = bots;
  }

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    Answer answer = turn.answer();
    if (!answer.fromModel()) {
      return Future.succeededFuture(turn);
    }
    Future<Void> recorded = answer.answer() != null ? afterAnswer(turn, answer.answer())
        : record(turn, status(answer.error().code(), answer.error().getMessage()));
    return recorded.map(turn);
  }

  /**
   * After an answer: the bot's own provider answered, so its status (if any) is cleared; or its fallback
   * answered, and the bot's provider's failure is recorded when it is one only the operator can fix.
   */
  private Future<Void> afterAnswer(Turn turn, JsonObject answer) {
    if (answer.getBoolean(Fields.FALLBACK, false)) {
      JsonObject primary = answer.getValue(Fields.PRIMARY_ERROR) instanceof JsonObject p ? p : new JsonObject();
      return record(turn, status(primary.getString("code"), primary.getString("message")));
    }
    return turn.providerStatus() == null ? Future.succeededFuture() : write(turn, null);
  }

  private static JsonObject status(String code, String message) {
    String status = code == null ? null : STATUS.get(code);
    return status == null ? null : new JsonObject().put("code", status).put("message", message == null ? "" : message);
  }

  private Future<Void> record(Turn turn, JsonObject status) {
    JsonObject current = turn.providerStatus();
    if (status == null || (current != null && status.getString("code").equals(current.getString("code")))) {
      return Future.succeededFuture();
    }
    return write(turn, status);
  }

  /** A status that could not be written is logged and shows on a later turn. */
  private Future<Void> write(Turn turn, JsonObject status) {
    return bots.providerStatus(turn.requestId(), turn.botId(), status)
        .<Void>mapEmpty()
        .recover(failure -> {
          LOG.warn("[{}] The provider status of bot {} could not be {}: {}", turn.requestId(), turn.botId(),
              status == null ? "cleared" : "set to " + status.getString("code"), failure.getMessage());
          return Future.succeededFuture();
        });
  }
}
