package dev.parley.provider;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.BusHandlers;
import dev.parley.common.Drain;
import dev.parley.common.Fields;
import dev.parley.common.Heartbeats;
import dev.parley.common.KeyScope;
import dev.parley.common.LocalFirst;
import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import dev.parley.common.StreamEvents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Calls the model APIs. The only component that ever holds a decrypted API key. The verticle wires: a request's
 * call is built by {@link CallBuilder}, run by {@link CallLoop} (retries, circuit breaker, fallback, deadline,
 * cancel) and answered by {@link Replier}; vendors are {@link ModelProvider}s, extensions {@link CustomProviders}.
 *
 * <p>Consumes:
 * <ul>
 *   <li>{@code parley.provider.complete} ({@link Addresses#PROVIDER_COMPLETE}):
 *   {@code {bot:{id, provider, model, base_url?, api_key_enc?, temperature?, max_tokens?, fallback?:{provider, model}},
 *   system?, messages:[…], tools?, tool_choice?}}, where a message is {@code {role:"user", content}},
 *   {@code {role:"assistant", content?, tool_calls?:[{id, name, arguments (object)}]}} or a tool result
 *   {@code {role:"tool", tool_call_id, name?, content, is_error?}}; {@code tools} is {@code [{name, description?,
 *   parameters (JSON Schema, type object)}]} and {@code tool_choice} {@code "auto"|"none"|"required"|{name}}
 *   ({@link ToolRequest}; docs/tools.md). Replies
 *   {@code {content, usage:{input_tokens, output_tokens, estimated?}, cost, provider, model, latency_ms, finish_reason, fallback,
 *   tool_calls?}}; {@code tool_calls} {@code [{id, name, arguments, arguments_error?}]} is there when the model asks
 *   for tools ({@code finish_reason} is then {@code tool_calls}); arguments that are not a JSON object come as
 *   {@code {"_raw": text}} with {@code arguments_error: true}. {@code openai} and {@code anthropic} map this
 *   neutral shape to their wire formats; {@code extractive} ignores tools and answers plainly, and a custom provider
 *   gets the request as sent (one that knows nothing of tools answers plainly)
 *   ({@code cost} in USD from the price file; {@code finish_reason} is {@code stop}, {@code length} or the
 *   vendor's own word; {@code provider} and {@code model} are the ones that answered, and {@code fallback}
 *   is true when that was the bot's fallback). {@code usage} and {@code cost} are the whole request's: every
 *   attempt that spent tokens, retries and the bot's own provider before its fallback included ({@link Spend}).</li>
 *   <li>{@code parley.provider.stream} ({@link Addresses#PROVIDER_STREAM}): the same plus
 *   {@code stream_address}, which receives ({@link StreamEvents}, all from this verticle, in order)
 *   {@code {type:"delta", seq:0…n-1, text}} as the model writes, then exactly one end: {@code {type:"done", …}}
 *   carrying the answer (with the {@code tool_calls} assembled from the streamed fragments; they are never deltas), or {@code {type:"error", status, error:{code, message, spent?}}} carrying the failure
 *   (every failure of a request that names a stream address, validation and cancellation included). Then the
 *   request gets the same answer as its reply (plus {@code deltas}, the number of delta messages sent), or the
 *   same failure.</li>
 *   <li>{@code parley.provider.price} ({@link Addresses#PROVIDER_PRICE}): {@code {model}} → {@code {model, priced,
 *   input, output, source}}, the USD per million tokens charged for the model: from the price file
 *   ({@code source: "table"}), else {@code default_price} ({@code "default"}), else none ({@code priced: false}).</li>
 *   <li>{@code parley.provider.cancel} ({@link Addresses#PROVIDER_CANCEL}, published): {@code {stream_address}}.
 *   The instance running that stream stops it and its upstream request (the model stops spending tokens),
 *   and fails the stream request with 499 {@code client_disconnected}, whose {@code spent} tells what the
 *   model had spent up to then. JSON calls are never cancelled. A stream forwarded to a custom provider is
 *   not stopped here: the cancel is published again naming the relay address that provider was given.</li>
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
 * {@code context} passages, or {@code bot.fallback_text} when there are none). Any other name is forwarded to
 * {@code parley.provider.<name>.complete} / {@code .stream}, where an extension verticle may serve it
 * ({@link CustomProviders}): its reply or failure is passed through, a stream through a relay address of this
 * verticle that passes the extension's deltas on and ends the caller's stream as above.
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

  private ProviderSettings settings;
  private Pricing pricing;
  private UpstreamHttp http;
  private CustomProviders custom;
  private CallBuilder calls;
  private CallLoop loop;
  private final Map<String, ModelProvider> providers = new LinkedHashMap<>();
  private final RunningStreams streams = new RunningStreams();

  @Override
  public Future<?> start() {
    settings = ProviderSettings.from(config());
    return Future.all(SecretBox.load(vertx, config()), Pricing.load(vertx, settings.pricesFile()),
            UpstreamHttp.warmUpTls(vertx))
        .compose(loaded -> {
          SecretBox secrets = loaded.resultAt(0);
          pricing = ((Pricing) loaded.resultAt(1)).withDefault(settings.defaultPrice());
          http = new UpstreamHttp(vertx, settings);
          custom = new CustomProviders(vertx, settings.forwardTimeoutMs(), pricing, streams);
          calls = new CallBuilder(settings, secrets);
          loop = new CallLoop(vertx, settings, CircuitBreakers.shared(vertx, deploymentID(), settings.breaker()),
              providers, calls);
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
          MessageConsumer<JsonObject> cancel = vertx.eventBus().consumer(Addresses.PROVIDER_CANCEL, streams::cancel);
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

  /** Handles a request, sending heartbeats to its caller until it is answered when the caller asked for them. */
  private void handle(Message<JsonObject> message, boolean stream) {
    Runnable finished = BusHandlers.accept(vertx, message);
    if (finished == null) {
      return;
    }
    Replier replier = new Replier(message, stream ? StreamSender.of(vertx, message.body(), Bus.requestId(message)) : null);
    Future<Void> answered;
    try {
      answered = dispatch(message, stream, replier);
    } catch (RuntimeException bug) {
      // whatever happens, the caller gets an answer rather than a bus timeout
      replier.fail(bug);
      answered = Future.succeededFuture();
    }
    answered.onComplete(done -> finished.run());
  }

  /** Answers the request; the future completes once it has been answered. */
  private Future<Void> dispatch(Message<JsonObject> message, boolean stream, Replier replier) {
    long started = System.nanoTime();
    JsonObject body = message.body();
    JsonObject bot = body == null ? null : body.getValue(Fields.BOT) instanceof JsonObject b ? b : null;
    String name = bot == null ? null : bot.getValue(Fields.PROVIDER) instanceof String s ? s.trim() : null;
    if (name == null || name.isEmpty()) {
      replier.fail(ParleyException.invalid("bot.provider", "The request names no provider"));
      return Future.succeededFuture();
    }
    ModelProvider provider = providers.get(name.toLowerCase(Locale.ROOT));
    if (provider == null) {
      return custom.forward(message, name, stream, replier);
    }
    ModelCall call;
    JsonObject fallback;
    Promise<Void> cancel = Promise.promise();
    try {
      if (stream) {
        CallBuilder.requiredString(body, Fields.STREAM_ADDRESS, Fields.STREAM_ADDRESS);
      }
      call = calls.call(provider, message, bot, cancel.future());
      fallback = CallBuilder.fallbackSpec(bot);
    } catch (RuntimeException invalid) {
      replier.fail(invalid);
      return Future.succeededFuture();
    }
    Spend spend = new Spend(pricing, body);
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs());
    Function<Future<Void>, Future<Answer>> run = clientGone ->
        loop.run(new CallPlan(provider, call, fallback, replier.stream(), deadline, cancel, clientGone, spend));
    // a stream stops when its client goes away (parley.provider.cancel); a JSON call runs to its end
    Future<Answer> answer = stream ? streams.run(replier.stream().address(), run) : run.apply(Promise.<Void>promise().future());
    return answer
        .onSuccess(done -> replier.succeed(done.toReply(started, spend, replier.stream())))
        .onFailure(failure -> replier.fail(CallFailures.of(provider, call, failure, spend, message.address())))
        .mapEmpty();
  }
}
