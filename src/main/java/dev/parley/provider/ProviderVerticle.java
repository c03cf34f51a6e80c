package dev.parley.provider;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.BusHandlers;
import dev.parley.common.Drain;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.Heartbeats;
import dev.parley.common.KeyScope;
import dev.parley.common.LocalFirst;
import dev.parley.common.ParleyException;
import dev.parley.common.StreamEvents;
import dev.parley.common.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the model APIs. The only component that ever holds a decrypted API key.
 *
 * <p>Consumes:
 * <ul>
 *   <li>{@code parley.provider.complete} ({@link Addresses#PROVIDER_COMPLETE}):
 *   {@code {bot:{id, provider, model, base_url?, api_key_enc?, temperature?, max_tokens?, fallback?:{provider, model}},
 *   system?, messages:[{role:"user"|"assistant", content}]}}. Replies
 *   {@code {content, usage:{input_tokens, output_tokens, estimated?}, cost, provider, model, latency_ms, finish_reason, fallback}}
 *   ({@code cost} in USD from the price file; {@code finish_reason} is {@code stop}, {@code length} or the
 *   vendor's own word; {@code provider} and {@code model} are the ones that answered, and {@code fallback}
 *   is true when that was the bot's fallback). {@code usage} and {@code cost} are the whole request's: every
 *   attempt that spent tokens, retries and the bot's own provider before its fallback included ({@link Spend}).</li>
 *   <li>{@code parley.provider.stream} ({@link Addresses#PROVIDER_STREAM}): the same plus
 *   {@code stream_address}, which receives {@code {type:"delta", seq:0…n-1, text}} in order as the
 *   model writes; the reply is the same answer plus {@code deltas}, the number of delta messages sent.</li>
 *   <li>{@code parley.provider.price} ({@link Addresses#PROVIDER_PRICE}): {@code {model}} → {@code {model, priced,
 *   input, output, source}}, the USD per million tokens charged for the model: from the price file
 *   ({@code source: "table"}), else {@code default_price} ({@code "default"}), else none ({@code priced: false}).</li>
 *   <li>{@code parley.provider.cancel} ({@link Addresses#PROVIDER_CANCEL}, published): {@code {stream_address}}.
 *   The instance running that stream stops it and its upstream request (the model stops spending tokens),
 *   and fails the stream request with 499 {@code client_disconnected}, whose {@code spent} tells what the
 *   model had spent up to then. JSON calls are never cancelled.</li>
 * </ul>
 *
 * <p>Spend on failure: a failure of either request address carries, besides {@code {code, message}},
 * {@code spent: {usage:{input_tokens, output_tokens, estimated?}, cost, provider, model}} when any attempt spent
 * tokens (a stream cancelled, timed out, broken or cut after partial output; a JSON answer over the cap; an
 * attempt whose vendor reported usage before failing). An attempt counts when the vendor reported usage, text
 * came back, or Parley stopped it after sending it; the vendor's counts are used where it gave them (OpenAI's
 * final usage chunk, asked for with {@code stream_options.include_usage}; Anthropic's {@code message_start} input
 * and {@code message_delta} output tokens), the rest is estimated from characters
 * ({@link dev.parley.common.TokenEstimate}, {@code estimated: true}). {@code spent} never reaches a client.
 *
 * <p>Both request addresses are also registered under their node-local alias ({@link LocalFirst}), so a node
 * that runs the provider serves its own turns. A request from another node carries heartbeat headers
 * ({@link Heartbeats}): while this verticle works on it (a forwarded custom provider included) it sends
 * {@code {heartbeat_id}} to the caller's heartbeat address every {@code x-heartbeat-ms}, and stops once it
 * has answered. When they stop coming (this node was killed, froze or was cut off), the caller fails the turn
 * with 503 {@code provider_node_lost} after three missed intervals instead of waiting for its send timeout.
 *
 * <p>When the bot's fallback answered, the reply also carries {@code primary_error: {code, message}}, the
 * failure of the bot's own provider, so the caller can tell the operator (an exhausted quota, say).
 *
 * <p>Providers: {@code openai} (also any compatible server through {@code base_url}),
 * {@code anthropic}, and {@code extractive} (no model, no key: answers with the request's
 * {@code context} passages, or {@code bot.fallback_text} when there are none). Any other name is forwarded unchanged to
 * {@code parley.provider.<name>.complete} / {@code .stream}, where an extension verticle may
 * serve it; its reply or failure is passed through.
 *
 * <p>The key is {@code bot.api_key_enc} decrypted with the bot id, else the vendor's
 * {@code api_key} from config, which is only sent to the origin of the vendor's configured {@code base_url}
 * (or its public API when none is configured): a bot with a base URL elsewhere and no key of its own fails
 * with 503 {@code provider_not_configured} ({@link KeyScope}). The base URL is {@code bot.base_url}, else the vendor's
 * {@code base_url}. Rate limits (429, honouring {@code Retry-After} up to {@code max_retry_after_s}),
 * 5xx, 529, error events before the first delta and connection failures (not connect timeouts) are retried
 * {@code max_retries} times with jittered exponential backoff; a stream is never retried once a
 * delta went out. The whole call, retries and fallback included, is bounded by {@code request_timeout_ms}.
 *
 * <p>Circuit breaker: one per (provider, base URL), shared by the instances of this verticle in a
 * process. A call (after its retries) that fails because the provider is unwell (5xx, 408, 429,
 * connection failure, timeout, unreadable answer, in-band error, broken stream; not a 4xx caused
 * by the request or the key, nor an exhausted quota) counts; {@code circuit_breaker.max_failures}
 * of them within {@code failure_window_ms} with no other outcome between open the circuit. While it
 * is open, calls fail at once with 503 {@code provider_circuit_open} and a {@code retry_after};
 * after {@code reset_timeout_ms} one probe call goes through, and its success closes the circuit.
 *
 * <p>Fallback: when {@code bot.fallback} names a built-in provider and model, and the bot's provider
 * failed before any delta went out because it was unwell, its circuit was open or its quota was
 * exhausted, the same request goes to the fallback (through its own circuit). The same provider
 * keeps the bot's base URL and key; another provider uses its {@code base_url} and {@code api_key}
 * from config ({@code extractive} needs none). If the fallback fails too, or cannot be called, the
 * caller gets the bot's provider's failure. Custom (forwarded) providers get neither.
 *
 * <p>Config ({@code config()}): {@code secret_key}, {@code data_dir} (for the key store),
 * {@code connect_timeout_ms} (10000), {@code idle_timeout_ms} (60000), {@code request_timeout_ms}
 * (120000), {@code max_retries} (2), {@code backoff_initial_ms} (250), {@code backoff_max_ms} (4000),
 * {@code max_retry_after_s} (20), {@code max_answer_chars} (1000000),
 * {@code circuit_breaker:{max_failures (5), reset_timeout_ms (30000), failure_window_ms (60000)}},
 * {@code forward_timeout_ms} (= request timeout), {@code prices_file} ({@code conf/prices.json}, on disk
 * then on the classpath), {@code default_price} ({@code {input, output}} in USD per million tokens for models the
 * file does not list; null: they cost 0), and per vendor
 * {@code openai:{base_url, api_key}}, {@code anthropic:{base_url, api_key, version, max_tokens}}.
 *
 * <p>Failure codes (status, code): 422 {@code validation_failed} (a malformed request);
 * 422 {@code unknown_provider}; 503 {@code provider_not_configured} (no key);
 * 500 {@code secret_unreadable}; 502 {@code provider_auth_failed} (upstream 401/403);
 * 502 {@code provider_rejected} (other 4xx); 503 {@code provider_rate_limited} (with
 * {@code retry_after}); 503 {@code provider_circuit_open} (with {@code retry_after}: the provider kept
 * failing and its circuit is open); 503 {@code provider_quota_exhausted}; 502 {@code provider_unavailable}
 * (5xx or unreachable after retries); 504 {@code provider_timeout}; 502 {@code provider_protocol_error}
 * (an answer that cannot be read); 502 {@code provider_stream_broken} (the stream broke after deltas);
 * 502 {@code provider_tls_error} (the TLS handshake failed: untrusted certificate, host name mismatch; never
 * retried, never over plain HTTP); 502 {@code provider_answer_too_long} (the answer passed {@code max_answer_chars}:
 * a stream's deltas stop there and its upstream request is reset); 499 {@code client_disconnected} (cancelled).
 * A connect timeout is not retried: a host that let one connection attempt time out will not answer the next.
 * No failure, reply, log line or bus message carries a key or an upstream body.
 */
public class ProviderVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ProviderVerticle.class);

  private ProviderSettings settings;
  private SecretBox secrets;
  private Pricing pricing;
  private UpstreamHttp http;
  private CustomProviders custom;
  private CircuitBreakers breakers;
  private final Map<String, ModelProvider> providers = new LinkedHashMap<>();
  /** The streams this instance is running, by stream address: completing one's promise cancels it. */
  private final Map<String, Promise<Void>> streams = new HashMap<>();

  @Override
  public Future<?> start() {
    settings = ProviderSettings.from(config());
    return Future.all(SecretBox.load(vertx, config()), Pricing.load(vertx, settings.pricesFile()),
            UpstreamHttp.warmUpTls(vertx))
        .compose(loaded -> {
          secrets = loaded.resultAt(0);
          pricing = ((Pricing) loaded.resultAt(1)).withDefault(settings.defaultPrice());
          http = new UpstreamHttp(vertx, settings);
          custom = new CustomProviders(vertx, settings.forwardTimeoutMs(), pricing);
          breakers = CircuitBreakers.shared(vertx, deploymentID(), settings.breaker());
          register(new OpenAiProvider(http,
              settings.vendor(OpenAiProvider.NAME).getString("base_url", "https://api.openai.com/v1")));
          JsonObject anthropic = settings.vendor(AnthropicProvider.NAME);
          register(new AnthropicProvider(http,
              anthropic.getString("base_url", "https://api.anthropic.com"),
              anthropic.getString("version", "2023-06-01"),
              anthropic.getInteger("max_tokens", 1024)));
          register(new ExtractiveProvider());
          MessageConsumer<JsonObject> complete = vertx.eventBus().consumer(Addresses.PROVIDER_COMPLETE, m -> handle(m, false));
          MessageConsumer<JsonObject> stream = vertx.eventBus().consumer(Addresses.PROVIDER_STREAM, m -> handle(m, true));
          MessageConsumer<JsonObject> cancel = vertx.eventBus().consumer(Addresses.PROVIDER_CANCEL, this::cancel);
          // a node that runs the provider serves its own turns (no network hop, no heartbeats)
          MessageConsumer<JsonObject> localComplete = LocalFirst.registerAlias(vertx, Addresses.PROVIDER_COMPLETE,
              m -> handle(m, false));
          MessageConsumer<JsonObject> localStream = LocalFirst.registerAlias(vertx, Addresses.PROVIDER_STREAM,
              m -> handle(m, true));
          Drain.serves(vertx, Addresses.PROVIDER_COMPLETE);
          Drain.serves(vertx, Addresses.PROVIDER_STREAM);
          return Future.all(List.of(complete.completion(), stream.completion(), cancel.completion(),
              localComplete.completion(), localStream.completion(), BusHandlers.register(vertx, Addresses.PROVIDER_PRICE,
                  body -> Future.succeededFuture(pricing.describe(body.getString(Fields.MODEL))))));
        });
  }

  @Override
  public Future<?> stop() {
    CircuitBreakers.release(vertx, deploymentID());
    return http == null ? Future.succeededFuture() : http.close();
  }

  /** Adding a built-in provider is one {@link ModelProvider} and one call here. */
  private void register(ModelProvider provider) {
    providers.put(provider.name(), provider);
  }

  /** A published cancel: the instance running that stream (if any, and still running) stops it. */
  private void cancel(Message<JsonObject> message) {
    JsonObject body = message.body();
    Promise<Void> running = body == null ? null : streams.get(body.getString(Fields.STREAM_ADDRESS));
    if (running != null) {
      running.tryComplete();
    }
  }

  /** Handles a request, sending heartbeats to its caller until it is answered when the caller asked for them. */
  private void handle(Message<JsonObject> message, boolean stream) {
    Runnable finished = BusHandlers.accept(vertx, message);
    if (finished == null) {
      return;
    }
    Future<Void> answered;
    try {
      answered = dispatch(message, stream);
    } catch (RuntimeException bug) {
      // whatever happens, the caller gets an answer rather than a bus timeout
      Failures.reply(message, bug);
      answered = Future.succeededFuture();
    }
    answered.onComplete(done -> finished.run());
  }

  /** Answers the request; the future completes once it has been answered. */
  private Future<Void> dispatch(Message<JsonObject> message, boolean stream) {
    long started = System.nanoTime();
    JsonObject body = message.body();
    JsonObject bot = body == null ? null : body.getValue(Fields.BOT) instanceof JsonObject b ? b : null;
    String name = bot == null ? null : bot.getValue(Fields.PROVIDER) instanceof String s ? s.trim() : null;
    if (name == null || name.isEmpty()) {
      Failures.reply(message, ParleyException.invalid("bot.provider", "The request names no provider"));
      return Future.succeededFuture();
    }
    ModelProvider provider = providers.get(name.toLowerCase(Locale.ROOT));
    if (provider == null) {
      return custom.forward(message, name, stream);
    }
    ModelCall call;
    String streamAddress;
    JsonObject fallback;
    Promise<Void> cancel = Promise.promise();
    try {
      streamAddress = stream ? requiredString(body, Fields.STREAM_ADDRESS, Fields.STREAM_ADDRESS) : null;
      call = call(provider, message, bot, cancel.future());
      fallback = fallbackSpec(bot);
    } catch (RuntimeException invalid) {
      Failures.reply(message, invalid);
      return Future.succeededFuture();
    }
    DeltaSender deltas = stream ? new DeltaSender(streamAddress, call.requestId()) : null;
    Spend spend = new Spend(pricing, body);
    // a stream stops when its client goes away (parley.provider.cancel); a JSON call runs to its end
    Promise<Void> clientGone = Promise.promise();
    if (stream) {
      streams.put(streamAddress, clientGone);
    }
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs());
    return attempt(provider, call, deltas, deadline, cancel, clientGone.future(), spend)
        .map(completion -> new Answer(provider, call, completion, null))
        .recover(failure -> {
          boolean delivered = deltas != null && deltas.count() > 0;
          if (fallback == null || delivered || System.nanoTime() >= deadline
              || !(failure instanceof ProviderFailure upstream) || !upstream.callsForFallback()) {
            return Future.failedFuture(failure);
          }
          return tryFallback(fallback, provider, call, message, bot, cancel, clientGone.future(), deltas, deadline,
              upstream, spend);
        })
        .onComplete(done -> {
          if (stream) {
            streams.remove(streamAddress, clientGone);
          }
        })
        .onSuccess(answer -> {
          JsonObject reply = reply(answer, started, deltas, spend);
          if (deltas != null) {
            deltas.end(StreamEvents.done(reply));
          }
          message.reply(reply);
        })
        .onFailure(failure -> fail(message, provider, call, failure, spend, deltas))
        .mapEmpty();
  }

  /** The bot's fallback {@code {provider, model}}, or null when it has none. */
  private static JsonObject fallbackSpec(JsonObject bot) {
    Object value = bot.getValue(Fields.FALLBACK);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject spec)) {
      throw ParleyException.invalid("bot.fallback", "fallback must be an object {provider, model}");
    }
    requiredString(spec, Fields.PROVIDER, "bot.fallback.provider");
    requiredString(spec, Fields.MODEL, "bot.fallback.model");
    return spec;
  }

  /**
   * Calls the bot's fallback after the primary failed before any delta went out. When the fallback
   * cannot be called or fails too, the primary's failure is what the caller sees.
   */
  private Future<Answer> tryFallback(JsonObject spec, ModelProvider primary, ModelCall primaryCall,
      Message<JsonObject> message, JsonObject bot, Promise<Void> cancel, Future<Void> clientGone, DeltaSender deltas,
      long deadline, ProviderFailure primaryFailure, Spend spend) {
    ModelProvider provider = providers.get(spec.getString(Fields.PROVIDER).trim().toLowerCase(Locale.ROOT));
    ModelCall call;
    try {
      if (provider == null) {
        throw new ParleyException(ErrorCodes.UNPROCESSABLE, "unknown_provider",
            "The fallback must be a built-in provider (openai, anthropic or extractive)", "bot.fallback.provider", 0);
      }
      call = fallbackCall(provider, spec, primary, primaryCall, message, bot, cancel.future());
    } catch (RuntimeException unusable) {
      String code = unusable instanceof ParleyException p ? p.code() : unusable.getClass().getSimpleName();
      LOG.warn("{} call failed ({}) and the fallback cannot be called ({}): bot={} request={}", primary.displayName(),
          primaryFailure.getMessage(), code, primaryCall.botId(), primaryCall.requestId());
      return Future.failedFuture(primaryFailure);
    }
    LOG.warn("{} call failed ({}): falling back to {} model={} bot={} request={}", primary.displayName(),
        primaryFailure.getMessage(), provider.displayName(), call.model(), call.botId(), call.requestId());
    ParleyException primaryError = primaryFailure.toParley(primary.displayName());
    return attempt(provider, call, deltas, deadline, cancel, clientGone, spend)
        .map(completion -> new Answer(provider, call, completion, primaryError))
        .recover(second -> {
          LOG.warn("Fallback {} call failed too ({}): bot={} request={}", provider.displayName(),
              second instanceof ProviderFailure f ? f.getMessage() : second.getClass().getSimpleName(),
              call.botId(), call.requestId());
          return Future.failedFuture(primaryFailure);
        });
  }

  /**
   * The fallback's call: same prompt, history and settings, the fallback's provider and model. The
   * same provider keeps the bot's base URL and key; another one uses the configured base URL and key
   * of that provider (none for {@code extractive}).
   */
  private ModelCall fallbackCall(ModelProvider provider, JsonObject spec, ModelProvider primary, ModelCall primaryCall,
      Message<JsonObject> message, JsonObject bot, Future<Void> cancelled) {
    String model = requiredString(spec, Fields.MODEL, "bot.fallback.model");
    if (provider == primary) {
      return new ModelCall(provider.name(), primaryCall.botId(), primaryCall.requestId(), model, primaryCall.baseUrl(),
          primaryCall.apiKey(), primaryCall.system(), primaryCall.messages(), primaryCall.temperature(),
          primaryCall.maxTokens(), primaryCall.request(), cancelled);
    }
    JsonObject vendor = settings.vendor(provider.name());
    String baseUrl = nonBlank(vendor.getValue("base_url"));
    if (baseUrl == null) {
      baseUrl = provider.defaultBaseUrl();
    }
    String key = nonBlank(vendor.getValue("api_key"));
    if (key == null && provider.requiresApiKey()) {
      throw new ParleyException(ErrorCodes.UNAVAILABLE, "provider_not_configured",
          "No API key is configured for the fallback provider " + provider.displayName(), null, 0);
    }
    return new ModelCall(provider.name(), primaryCall.botId(), primaryCall.requestId(), model, baseUrl, key,
        primaryCall.system(), primaryCall.messages(), primaryCall.temperature(), primaryCall.maxTokens(),
        primaryCall.request(), cancelled);
  }

  /**
   * One provider's call: retries with backoff, bounded by the deadline (which also cancels the upstream
   * request), through the circuit breaker of its provider and base URL. Deltas go out while the call is
   * running; a stream is never retried once one went out. When {@code clientGone} completes, the call
   * fails with {@link ProviderFailure#cancelled()} and its upstream request is stopped. A JSON answer
   * longer than {@code max_answer_chars} fails with {@link ProviderFailure#tooLong}. Each attempt adds
   * a {@link Meter} to {@code spend}; one Parley stops counts what it spent up to then.
   */
  private Future<Completion> attempt(ModelProvider provider, ModelCall call, DeltaSender deltas, long deadline,
      Promise<Void> cancel, Future<Void> clientGone, Spend spend) {
    boolean stream = deltas != null;
    int maxChars = settings.maxAnswerChars();
    Supplier<Future<Completion>> run = () -> {
      Promise<Completion> outcome = Promise.promise();
      long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      long timer = vertx.setTimer(remainingMs, t -> {
        if (!outcome.future().isComplete()) {
          spend.stop();
          outcome.tryFail(ProviderFailure.timeout("request timeout"));
          cancel.tryComplete();
        }
      });
      clientGone.onComplete(gone -> {
        if (!outcome.future().isComplete()) {
          spend.stop();
          outcome.tryFail(ProviderFailure.cancelled());
          cancel.tryComplete();
        }
      });
      Consumer<String> onDelta = text -> {
        if (!outcome.future().isComplete()) {
          deltas.send(text);
        }
      };
      settings.retry().run(vertx,
              () -> outcome.future().isComplete() ? outcome.future()
                  : metered(spend.attempt(call.model()), meter -> stream ? provider.stream(call, onDelta, meter)
                      : provider.complete(call, meter).compose(answer -> capped(answer, maxChars))),
              () -> !outcome.future().isComplete() && (deltas == null || deltas.count() == 0),
              deadline,
              (retry, failure) -> LOG.info("Retrying {} call ({} of {}) after {}: bot={} request={}",
                  provider.name(), retry, settings.retry().maxRetries(), failure.getMessage(), call.botId(),
                  call.requestId()))
          .onComplete(done -> {
            vertx.cancelTimer(timer);
            if (done.succeeded()) {
              outcome.tryComplete(done.result());
            } else {
              outcome.tryFail(done.cause());
            }
          });
      return outcome.future();
    };
    // no base URL, no upstream (extractive): nothing that could trip a circuit
    return call.baseUrl() == null ? run.get() : breakers.execute(provider.name(), call.baseUrl(), run);
  }

  /** Runs one attempt with its meter, which stops counting when the attempt ends. */
  private static Future<Completion> metered(Meter meter, Function<Meter, Future<Completion>> attempt) {
    return attempt.apply(meter).onComplete(done -> {
      if (done.failed() && done.cause() instanceof ProviderFailure failure && failure.stoppedByParley()) {
        meter.stop();
      }
      meter.finish();
    });
  }

  private static Future<Completion> capped(Completion answer, int maxChars) {
    String content = answer.content();
    return content != null && content.length() > maxChars
        ? Future.failedFuture(ProviderFailure.tooLong(maxChars)) : Future.succeededFuture(answer);
  }

  /** A finished answer and who gave it; {@code primaryError} is the bot's provider's failure when the fallback did. */
  private record Answer(ModelProvider provider, ModelCall call, Completion completion, ParleyException primaryError) {

    boolean fallback() {
      return primaryError != null;
    }
  }

  private ModelCall call(ModelProvider provider, Message<JsonObject> message, JsonObject bot, Future<Void> cancelled) {
    JsonObject body = message.body();
    String botId = bot.getValue("id") instanceof String id ? id : null;
    String model = requiredString(bot, Fields.MODEL, "bot.model");
    JsonArray messages = messages(body);
    String system = body.getValue(Fields.SYSTEM) instanceof String s ? s : null;
    JsonObject vendor = settings.vendor(provider.name());
    String baseUrl = nonBlank(bot.getValue("base_url"));
    if (baseUrl == null) {
      baseUrl = nonBlank(vendor.getValue("base_url"));
    }
    if (baseUrl == null) {
      baseUrl = provider.defaultBaseUrl();
    }
    if (baseUrl != null && !baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
      throw ParleyException.invalid("bot.base_url", "The base URL must start with http:// or https://");
    }
    return new ModelCall(provider.name(), botId, Bus.requestId(message), model, baseUrl,
        apiKey(provider, bot, botId, vendor, baseUrl), system, messages,
        number(bot, "temperature") == null ? null : number(bot, "temperature").doubleValue(),
        number(bot, "max_tokens") == null ? null : number(bot, "max_tokens").intValue(),
        body, cancelled);
  }

  /** The bot's own key, else the server's key of the provider when the call goes where that key belongs ({@link KeyScope}). */
  private String apiKey(ModelProvider provider, JsonObject bot, String botId, JsonObject vendor, String baseUrl) {
    String encrypted = nonBlank(bot.getValue(Fields.API_KEY_ENC));
    if (encrypted != null) {
      if (botId == null) {
        throw ParleyException.invalid("bot.id", "A bot with an encrypted key needs its id");
      }
      try {
        return secrets.decrypt(encrypted, botId);
      } catch (ParleyException unreadable) {
        throw unreadable;
      } catch (RuntimeException cipherFailure) {
        // a truncated ciphertext makes the JCE throw unchecked exceptions SecretBox does not map
        throw new ParleyException(ErrorCodes.INTERNAL, "secret_unreadable",
            "The bot's API key cannot be decrypted: was PARLEY_SECRET_KEY changed? Set the key again.");
      }
    }
    String configured = nonBlank(vendor.getValue("api_key"));
    String home = nonBlank(vendor.getValue("base_url"));
    if (configured != null && baseUrl != null
        && !KeyScope.covers(home == null ? provider.defaultBaseUrl() : home, baseUrl)) {
      throw new ParleyException(ErrorCodes.UNAVAILABLE, "provider_not_configured", "The bot's base_url is not "
          + provider.displayName() + "'s configured one, and the server's key is only sent there: set the bot's own api_key",
          "api_key", 0);
    }
    if (configured == null && provider.requiresApiKey()) {
      throw new ParleyException(ErrorCodes.UNAVAILABLE, "provider_not_configured",
          "No API key is set for " + provider.displayName() + ": set one on the bot or configure the server's default key",
          null, 0);
    }
    return configured;
  }

  private static JsonArray messages(JsonObject body) {
    if (!(body.getValue(Fields.MESSAGES) instanceof JsonArray messages) || messages.isEmpty()) {
      throw ParleyException.invalid(Fields.MESSAGES, "messages must be a non-empty array");
    }
    // The body is this handler's own copy (the event bus copies JSON), so valid messages are used as they are.
    boolean clean = true;
    for (int i = 0; i < messages.size(); i++) {
      Object item = messages.getValue(i);
      if (!(item instanceof JsonObject m) || !(m.getValue(Fields.CONTENT) instanceof String)
          || !(Fields.USER.equals(m.getValue(Fields.ROLE)) || Fields.ASSISTANT.equals(m.getValue(Fields.ROLE)))) {
        throw ParleyException.invalid(Fields.MESSAGES,
            "messages[" + i + "] must be {role: \"user\" or \"assistant\", content: text}");
      }
      clean &= m.size() == 2;
    }
    if (clean) {
      return messages;
    }
    JsonArray trimmed = new JsonArray();
    for (Object item : messages) {
      JsonObject m = (JsonObject) item;
      trimmed.add(new JsonObject().put(Fields.ROLE, m.getString(Fields.ROLE)).put(Fields.CONTENT, m.getString(Fields.CONTENT)));
    }
    return trimmed;
  }

  private JsonObject reply(Answer answer, long started, DeltaSender deltas, Spend spend) {
    ModelProvider provider = answer.provider();
    ModelCall call = answer.call();
    Completion completion = answer.completion();
    JsonObject reply = new JsonObject()
        .put(Fields.CONTENT, completion.content())
        .put(Fields.USAGE, spend.usage())
        .put(Fields.COST, spend.cost())
        .put(Fields.PROVIDER, provider.name())
        .put(Fields.MODEL, call.model())
        .put(Fields.LATENCY_MS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
        .put("finish_reason", completion.finishReason())
        .put(Fields.FALLBACK, answer.fallback());
    if (answer.fallback()) {
      reply.put(Fields.PRIMARY_ERROR, new JsonObject().put("code", answer.primaryError().code())
          .put("message", answer.primaryError().getMessage()));
    }
    if (deltas != null) {
      reply.put(Fields.DELTAS, deltas.count());
    }
    return reply;
  }

  /** Fails the request; the failure carries what the attempts that reached a model spent, when they spent anything. */
  private void fail(Message<JsonObject> message, ModelProvider provider, ModelCall call, Throwable failure, Spend spend,
      DeltaSender deltas) {
    ParleyException safe;
    if (failure instanceof ProviderFailure upstream) {
      safe = upstream.toParley(provider.displayName());
      if (upstream.kind() == ProviderFailure.Kind.CANCELLED) {
        LOG.info("{} stream stopped: the client went away: model={} bot={} request={}", provider.displayName(),
            call.model(), call.botId(), call.requestId());
        failed(message, deltas, spent(safe, provider, call, spend));
        return;
      }
      LOG.warn("{} call failed: code={} upstream_status={} cause=\"{}\" model={} bot={} request={}",
          provider.displayName(), safe.code(), upstream.upstreamStatus(), upstream.getMessage(), call.model(),
          call.botId(), call.requestId());
    } else if (failure instanceof ParleyException parley) {
      safe = parley;
      LOG.warn("{} call failed: code={} bot={} request={}", provider.displayName(), safe.code(), call.botId(),
          call.requestId());
    } else {
      safe = Failures.safe(failure, message.address());
    }
    failed(message, deltas, spent(safe, provider, call, spend));
  }

  private static void failed(Message<JsonObject> message, DeltaSender deltas, ParleyException failure) {
    if (deltas != null) {
      deltas.end(StreamEvents.error(failure));
    }
    Failures.reply(message, failure);
  }

  private static ParleyException spent(ParleyException failure, ModelProvider provider, ModelCall call, Spend spend) {
    return spend.any() ? failure.withSpent(spend.spent(provider.name(), call.model())) : failure;
  }

  private static String requiredString(JsonObject json, String key, String field) {
    String value = nonBlank(json.getValue(key));
    if (value == null) {
      throw ParleyException.invalid(field, field + " is required");
    }
    return value;
  }

  private static String nonBlank(Object value) {
    return value instanceof String s && !s.isBlank() ? s.trim() : null;
  }

  private static Number number(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n) {
      return n;
    }
    throw ParleyException.invalid("bot." + key, key + " must be a number");
  }

  /** Sends a stream's deltas, numbered from 0, to the caller's address. */
  private final class DeltaSender {

    private final String address;
    private final DeliveryOptions options = new DeliveryOptions();
    private int seq;

    DeltaSender(String address, String requestId) {
      this.address = address;
      if (requestId != null && !"-".equals(requestId)) {
        options.addHeader(Fields.REQUEST_ID_HEADER, requestId);
      }
    }

    void send(String text) {
      vertx.eventBus().send(address, new JsonObject()
          .put(Fields.TYPE, "delta").put(Fields.SEQ, seq++).put(Fields.TEXT, text), options);
    }

    int count() {
      return seq;
    }

    void end(JsonObject last) {
      vertx.eventBus().send(address, last, options);
    }
  }
}
