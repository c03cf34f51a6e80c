package dev.parley.chat;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * What a visitor learns of a failed turn. Nothing about the operator's account or setup: an exhausted quota, a
 * refused key, a request the provider rejected (400, 404), a missing or unreadable key all reach them as the
 * same 503 {@code bot_unavailable}. The turn is stored with the specific code, which operators see in the
 * conversation log, next to the bot's provider status ({@link ProviderHealth}).
 */
public final class VisitorErrors {

  /** Errors about the operator's account or configuration, none of the visitor's business. */
  private static final Set<String> OPERATOR_ONLY = Set.of("provider_quota_exhausted", "provider_auth_failed",
      "provider_rejected", "provider_not_configured", "secret_unreadable");

  /** Errors after which sending the same message again may well work. */
  private static final Set<String> RETRYABLE = Set.of("provider_timeout", "provider_rate_limited",
      "provider_unavailable", "provider_circuit_open", "provider_stream_broken", "provider_protocol_error", "timeout",
      "service_unavailable", ErrorCodes.PROVIDER_NODE_LOST, ErrorCodes.NODE_LOST);

  private VisitorErrors() {
  }

  /** The error as the visitor sees it. */
  public static ParleyException shown(ParleyException error) {
    return OPERATOR_ONLY.contains(error.code())
        ? new ParleyException(ErrorCodes.UNAVAILABLE, "bot_unavailable",
            "This assistant cannot answer right now. Please try again later.")
        : error;
  }

  /** The data of a stream's {@code error} event: the visitor's error and whether trying again may work. */
  public static JsonObject streamError(ParleyException error) {
    ParleyException shown = shown(error);
    return shown.toJson().put("retryable", RETRYABLE.contains(shown.code()));
  }
}
