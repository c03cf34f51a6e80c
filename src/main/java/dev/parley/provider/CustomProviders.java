package dev.parley.provider;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.TokenEstimate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Providers that extension verticles register on the bus: a request naming an unknown
 * provider goes to {@link Addresses#customProviderComplete(String)} unchanged, or to
 * {@link Addresses#customProviderStream(String)} with a relay address as its {@code stream_address}
 * ({@link CustomStream}), and its answer or failure comes back as is, except that an answer without
 * {@code usage} gets one estimated from characters ({@link TokenEstimate}, marked {@code estimated}) and one
 * without {@code cost} is priced from its usage, so an extension's answers count against the bot's budget.
 * A failure's {@code spent}, when the extension reports one, is passed on.
 */
final class CustomProviders {

  private static final Logger LOG = LoggerFactory.getLogger(CustomProviders.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final Vertx vertx;
  private final long timeoutMs;
  private final Pricing pricing;
  private final RunningStreams streams;

  CustomProviders(Vertx vertx, long timeoutMs, Pricing pricing, RunningStreams streams) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.pricing = pricing;
    this.streams = streams;
  }

  /** Forwards the request and relays the answer; completes once the caller has been answered. */
  Future<Void> forward(Message<JsonObject> message, String name, boolean stream, Replier replier) {
    if (!NAME.matcher(name).matches()) {
      replier.fail(unknown(name));
      return Future.succeededFuture();
    }
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs);
    String requestId = message.headers().get(Fields.REQUEST_ID_HEADER);
    if (requestId != null) {
      options.addHeader(Fields.REQUEST_ID_HEADER, requestId);
    }
    JsonObject request = message.body();
    Function<Throwable, ParleyException> failures = failure -> failure(failure, name, message);
    if (stream) {
      if (replier.stream() == null) {
        replier.fail(ParleyException.invalid(Fields.STREAM_ADDRESS, Fields.STREAM_ADDRESS + " is required"));
        return Future.succeededFuture();
      }
      return streams.run(replier.stream().address(), clientGone ->
          new CustomStream(vertx, name, replier, answer -> counted(answer, request), failures)
              .run(Addresses.customProviderStream(name), request, options, clientGone));
    }
    return vertx.eventBus().request(Addresses.customProviderComplete(name), request, options)
        .onSuccess(reply -> {
          if (reply.body() instanceof JsonObject answer) {
            replier.succeed(counted(answer, request));
          } else {
            message.reply(reply.body());
          }
        })
        .onFailure(failure -> replier.fail(failures.apply(failure)))
        .mapEmpty();
  }

  /** The caller's failure for a failed forwarded request. */
  private static ParleyException failure(Throwable failure, String name, Message<JsonObject> message) {
    ParleyException safe = failure instanceof ReplyException reply ? translate(reply, name) : null;
    if (safe == null) {
      return Failures.safe(failure, message.address());
    }
    LOG.warn("Custom provider {} failed: code={} request={}", name, safe.code(), Bus.requestId(message));
    return safe;
  }

  /** The answer with its usage (estimated when it has none) and its cost (priced when it has none). */
  private JsonObject counted(JsonObject answer, JsonObject request) {
    if (!(answer.getValue(Fields.USAGE) instanceof JsonObject)) {
      String content = answer.getValue(Fields.CONTENT) instanceof String text ? text : "";
      answer.put(Fields.USAGE, new JsonObject()
          .put(Fields.INPUT_TOKENS, TokenEstimate.ofChars(TokenEstimate.promptChars(request)))
          .put(Fields.OUTPUT_TOKENS, TokenEstimate.ofChars(content.length()))
          .put(Fields.ESTIMATED, true));
    }
    if (!(answer.getValue(Fields.COST) instanceof Number)) {
      JsonObject usage = answer.getJsonObject(Fields.USAGE);
      String model = answer.getValue(Fields.MODEL) instanceof String m ? m
          : request.getValue(Fields.BOT) instanceof JsonObject bot && bot.getValue(Fields.MODEL) instanceof String m ? m
          : null;
      answer.put(Fields.COST, pricing.cost(model, tokens(usage, Fields.INPUT_TOKENS), tokens(usage, Fields.OUTPUT_TOKENS)));
    }
    return answer;
  }

  private static long tokens(JsonObject usage, String field) {
    return usage.getValue(field) instanceof Number n ? Math.max(0, n.longValue()) : 0;
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
