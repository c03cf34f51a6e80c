package dev.parley.provider;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the model APIs. The only component that ever holds a decrypted API key.
 *
 * <p>Consumes:
 * <ul>
 *   <li>{@code parley.provider.complete} ({@link Addresses#PROVIDER_COMPLETE}):
 *   {@code {bot:{id, provider, model, base_url?, api_key_enc?, temperature?, max_tokens?}, system?,
 *   messages:[{role:"user"|"assistant", content}]}}. Replies
 *   {@code {content, usage:{input_tokens, output_tokens}, cost, provider, model, latency_ms, finish_reason}}
 *   ({@code cost} in USD from the price file; {@code finish_reason} is {@code stop}, {@code length} or the
 *   vendor's own word).</li>
 *   <li>{@code parley.provider.stream} ({@link Addresses#PROVIDER_STREAM}): the same plus
 *   {@code stream_address}, which receives {@code {type:"delta", seq:0…n-1, text}} in order as the
 *   model writes; the reply is the same answer plus {@code deltas}, the number of delta messages sent.</li>
 * </ul>
 *
 * <p>Providers: {@code openai} (also any compatible server through {@code base_url}),
 * {@code anthropic}, and {@code extractive} (no model, no key: answers with the request's
 * {@code context} passages, or {@code bot.fallback_text} when there are none). Any other name is forwarded unchanged to
 * {@code parley.provider.<name>.complete} / {@code .stream}, where an extension verticle may
 * serve it; its reply or failure is passed through.
 *
 * <p>The key is {@code bot.api_key_enc} decrypted with the bot id, else the vendor's
 * {@code api_key} from config. The base URL is {@code bot.base_url}, else the vendor's
 * {@code base_url}. Rate limits (429, honouring {@code Retry-After} up to {@code max_retry_after_s}),
 * 5xx, 529, error events before the first delta and connection failures are retried
 * {@code max_retries} times with jittered exponential backoff; a stream is never retried once a
 * delta went out. The whole call, retries included, is bounded by {@code request_timeout_ms}.
 *
 * <p>Config ({@code config()}): {@code secret_key}, {@code data_dir} (for the key store),
 * {@code connect_timeout_ms} (10000), {@code idle_timeout_ms} (60000), {@code request_timeout_ms}
 * (120000), {@code max_retries} (2), {@code backoff_initial_ms} (250), {@code backoff_max_ms} (4000),
 * {@code max_retry_after_s} (20), {@code forward_timeout_ms} (= request timeout), {@code prices_file}
 * ({@code conf/prices.json}, on disk then on the classpath), and per vendor
 * {@code openai:{base_url, api_key}}, {@code anthropic:{base_url, api_key, version, max_tokens}}.
 *
 * <p>Failure codes (status, code): 422 {@code validation_failed} (a malformed request);
 * 422 {@code unknown_provider}; 503 {@code provider_not_configured} (no key);
 * 500 {@code secret_unreadable}; 502 {@code provider_auth_failed} (upstream 401/403);
 * 502 {@code provider_rejected} (other 4xx); 503 {@code provider_rate_limited} (with
 * {@code retry_after}); 503 {@code provider_quota_exhausted}; 502 {@code provider_unavailable}
 * (5xx or unreachable after retries); 504 {@code provider_timeout}; 502 {@code provider_protocol_error}
 * (an answer that cannot be read); 502 {@code provider_stream_broken} (the stream broke after deltas).
 * No failure, reply, log line or bus message carries a key or an upstream body.
 */
public class ProviderVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ProviderVerticle.class);

  private ProviderSettings settings;
  private SecretBox secrets;
  private Pricing pricing;
  private UpstreamHttp http;
  private CustomProviders custom;
  private final Map<String, ModelProvider> providers = new LinkedHashMap<>();

  @Override
  public Future<?> start() {
    settings = ProviderSettings.from(config());
    return Future.all(SecretBox.load(vertx, config()), Pricing.load(vertx, settings.pricesFile()))
        .compose(loaded -> {
          secrets = loaded.resultAt(0);
          pricing = loaded.resultAt(1);
          http = new UpstreamHttp(vertx, settings);
          custom = new CustomProviders(vertx, settings.forwardTimeoutMs());
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
          return Future.all(complete.completion(), stream.completion());
        });
  }

  @Override
  public Future<?> stop() {
    return http == null ? Future.succeededFuture() : http.close();
  }

  /** Adding a built-in provider is one {@link ModelProvider} and one call here. */
  private void register(ModelProvider provider) {
    providers.put(provider.name(), provider);
  }

  private void handle(Message<JsonObject> message, boolean stream) {
    try {
      dispatch(message, stream);
    } catch (RuntimeException bug) {
      // whatever happens, the caller gets an answer rather than a bus timeout
      Failures.reply(message, bug);
    }
  }

  private void dispatch(Message<JsonObject> message, boolean stream) {
    long started = System.nanoTime();
    JsonObject body = message.body();
    JsonObject bot = body == null ? null : body.getValue(Fields.BOT) instanceof JsonObject b ? b : null;
    String name = bot == null ? null : bot.getValue(Fields.PROVIDER) instanceof String s ? s.trim() : null;
    if (name == null || name.isEmpty()) {
      Failures.reply(message, ParleyException.invalid("bot.provider", "The request names no provider"));
      return;
    }
    ModelProvider provider = providers.get(name.toLowerCase(Locale.ROOT));
    if (provider == null) {
      custom.forward(message, name, stream);
      return;
    }
    ModelCall call;
    String streamAddress;
    Promise<Void> cancel = Promise.promise();
    try {
      streamAddress = stream ? requiredString(body, Fields.STREAM_ADDRESS, Fields.STREAM_ADDRESS) : null;
      call = call(provider, message, bot, cancel.future());
    } catch (RuntimeException invalid) {
      Failures.reply(message, invalid);
      return;
    }
    DeltaSender deltas = stream ? new DeltaSender(streamAddress, call.requestId()) : null;
    Promise<Completion> outcome = Promise.promise();
    long timer = vertx.setTimer(settings.requestTimeoutMs(), t -> {
      if (outcome.tryFail(ProviderFailure.timeout("request timeout"))) {
        cancel.tryComplete();
      }
    });
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs());
    Consumer<String> onDelta = text -> {
      if (!outcome.future().isComplete()) {
        deltas.send(text);
      }
    };
    settings.retry().run(vertx,
            () -> stream ? provider.stream(call, onDelta) : provider.complete(call),
            () -> !outcome.future().isComplete() && (deltas == null || deltas.count() == 0),
            deadline,
            (retry, failure) -> LOG.info("Retrying {} call ({} of {}) after {}: bot={} request={}",
                provider.name(), retry, settings.retry().maxRetries(), failure.getMessage(), call.botId(), call.requestId()))
        .onComplete(done -> {
          vertx.cancelTimer(timer);
          if (done.succeeded()) {
            outcome.tryComplete(done.result());
          } else {
            outcome.tryFail(done.cause());
          }
        });
    outcome.future()
        .onSuccess(completion -> message.reply(reply(provider, call, completion, started, deltas)))
        .onFailure(failure -> fail(message, provider, call, failure));
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
        apiKey(provider, bot, botId, vendor), system, messages,
        number(bot, "temperature") == null ? null : number(bot, "temperature").doubleValue(),
        number(bot, "max_tokens") == null ? null : number(bot, "max_tokens").intValue(),
        body, cancelled);
  }

  private String apiKey(ModelProvider provider, JsonObject bot, String botId, JsonObject vendor) {
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
    JsonArray clean = new JsonArray();
    for (int i = 0; i < messages.size(); i++) {
      Object item = messages.getValue(i);
      if (!(item instanceof JsonObject m) || !(m.getValue(Fields.CONTENT) instanceof String content)
          || !(Fields.USER.equals(m.getValue(Fields.ROLE)) || Fields.ASSISTANT.equals(m.getValue(Fields.ROLE)))) {
        throw ParleyException.invalid(Fields.MESSAGES,
            "messages[" + i + "] must be {role: \"user\" or \"assistant\", content: text}");
      }
      clean.add(new JsonObject().put(Fields.ROLE, m.getString(Fields.ROLE)).put(Fields.CONTENT, content));
    }
    return clean;
  }

  private JsonObject reply(ModelProvider provider, ModelCall call, Completion completion, long started,
      DeltaSender deltas) {
    JsonObject reply = new JsonObject()
        .put(Fields.CONTENT, completion.content())
        .put(Fields.USAGE, new JsonObject()
            .put(Fields.INPUT_TOKENS, completion.inputTokens())
            .put(Fields.OUTPUT_TOKENS, completion.outputTokens()))
        .put(Fields.COST, pricing.cost(call.model(), completion.inputTokens(), completion.outputTokens()))
        .put(Fields.PROVIDER, provider.name())
        .put(Fields.MODEL, call.model())
        .put(Fields.LATENCY_MS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
        .put("finish_reason", completion.finishReason());
    if (deltas != null) {
      reply.put(Fields.DELTAS, deltas.count());
    }
    return reply;
  }

  private void fail(Message<JsonObject> message, ModelProvider provider, ModelCall call, Throwable failure) {
    ParleyException safe;
    if (failure instanceof ProviderFailure upstream) {
      safe = upstream.toParley(provider.displayName());
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
    Failures.reply(message, safe);
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
  }
}
