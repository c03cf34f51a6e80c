package dev.parley.provider;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Providers that extension verticles register on the bus: a request naming an unknown
 * provider goes, unchanged, to {@link Addresses#customProviderComplete(String)} or
 * {@link Addresses#customProviderStream(String)}, and its reply or failure comes back as is.
 */
final class CustomProviders {

  private static final Logger LOG = LoggerFactory.getLogger(CustomProviders.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final Vertx vertx;
  private final long timeoutMs;

  CustomProviders(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /** Forwards the request and relays the answer; completes once the caller has been answered. */
  Future<Void> forward(Message<JsonObject> message, String name, boolean stream) {
    if (!NAME.matcher(name).matches()) {
      Failures.reply(message, unknown(name));
      return Future.succeededFuture();
    }
    String address = stream ? Addresses.customProviderStream(name) : Addresses.customProviderComplete(name);
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs);
    String requestId = message.headers().get(Fields.REQUEST_ID_HEADER);
    if (requestId != null) {
      options.addHeader(Fields.REQUEST_ID_HEADER, requestId);
    }
    return vertx.eventBus().request(address, message.body(), options)
        .onSuccess(reply -> message.reply(reply.body()))
        .onFailure(failure -> {
          ParleyException safe = failure instanceof ReplyException reply ? translate(reply, name) : null;
          if (safe == null) {
            Failures.reply(message, failure);
            return;
          }
          LOG.warn("Custom provider {} failed: code={} request={}", name, safe.code(), Bus.requestId(message));
          Failures.reply(message, safe);
        })
        .mapEmpty();
  }

  private static ParleyException translate(ReplyException reply, String name) {
    if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
      return unknown(name);
    }
    if (reply.failureType() == ReplyFailure.TIMEOUT) {
      return new ParleyException(ErrorCodes.GATEWAY_TIMEOUT, "provider_timeout",
          "The provider " + name + " did not answer in time", null, 0);
    }
    return Failures.fromReply(reply);
  }

  private static ParleyException unknown(String name) {
    return new ParleyException(ErrorCodes.UNPROCESSABLE, "unknown_provider",
        "No provider named '" + (NAME.matcher(name).matches() ? name : "?") + "' is available", "provider", 0);
  }
}
