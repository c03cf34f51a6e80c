package dev.parley.provider;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request's call to its end: retries with backoff through the circuit breaker of the provider and
 * base URL, bounded by the deadline, stopped when the stream's client goes away, and handed to the bot's
 * fallback when the provider failed in a way that calls for it before any delta went out.
 */
final class CallLoop {

  private static final Logger LOG = LoggerFactory.getLogger(CallLoop.class);

  private final Vertx vertx;
  private final ProviderSettings settings;
  private final CircuitBreakers breakers;
  private final Map<String, ModelProvider> providers;
  private final CallBuilder calls;

  CallLoop(Vertx vertx, ProviderSettings settings, CircuitBreakers breakers, Map<String, ModelProvider> providers,
      CallBuilder calls) {
    this.vertx = vertx;
    this.settings = settings;
    this.breakers = breakers;
    this.providers = providers;
    this.calls = calls;
  }

  /** The answer of the bot's provider, else of its fallback; fails with the bot's provider's failure. */
  Future<Answer> run(CallPlan plan) {
    return attempt(plan.provider(), plan.call(), plan)
        .map(completion -> new Answer(plan.provider(), plan.call(), completion, null))
        .recover(failure -> {
          if (plan.fallback() == null || plan.delivered() || System.nanoTime() >= plan.deadline()
              || !(failure instanceof ProviderFailure upstream) || !upstream.callsForFallback()) {
            return Future.failedFuture(failure);
          }
          return tryFallback(plan, upstream);
        });
  }

  /**
   * Calls the bot's fallback after the primary failed before any delta went out. When the fallback
   * cannot be called or fails too, the primary's failure is what the caller sees.
   */
  private Future<Answer> tryFallback(CallPlan plan, ProviderFailure primaryFailure) {
    ModelProvider primary = plan.provider();
    ModelCall primaryCall = plan.call();
    ModelProvider provider = providers.get(plan.fallback().getString(Fields.PROVIDER).trim().toLowerCase(Locale.ROOT));
    ModelCall call;
    try {
      if (provider == null) {
        throw new ParleyException(ErrorCodes.UNPROCESSABLE, "unknown_provider",
            "The fallback must be a built-in provider (openai, anthropic or extractive)", "bot.fallback.provider", 0);
      }
      call = calls.fallbackCall(provider, plan.fallback(), primary, primaryCall);
    } catch (RuntimeException unusable) {
      String code = unusable instanceof ParleyException p ? p.code() : unusable.getClass().getSimpleName();
      LOG.warn("{} call failed ({}) and the fallback cannot be called ({}): bot={} request={}", primary.displayName(),
          primaryFailure.getMessage(), code, primaryCall.botId(), primaryCall.requestId());
      return Future.failedFuture(primaryFailure);
    }
    LOG.warn("{} call failed ({}): falling back to {} model={} bot={} request={}", primary.displayName(),
        primaryFailure.getMessage(), provider.displayName(), call.model(), call.botId(), call.requestId());
    ParleyException primaryError = primaryFailure.toParley(primary.displayName());
    return attempt(provider, call, plan)
        .map(completion -> new Answer(provider, call, completion, primaryError))
        .recover(second -> {
          LOG.warn("Fallback {} call failed too ({}): bot={} request={}", provider.displayName(),
              second instanceof ProviderFailure f ? f.getMessage() : second.getClass().getSimpleName(),
              call.botId(), call.requestId());
          return Future.failedFuture(primaryFailure);
        });
  }

  /**
   * One provider's call: retries with backoff, bounded by the deadline (which also cancels the upstream
   * request), through the circuit breaker of its provider and base URL. Deltas go out while the call is
   * running; a stream is never retried once one went out. When the client goes away, the call
   * fails with {@link ProviderFailure#cancelled()} and its upstream request is stopped. A JSON answer
   * longer than {@code max_answer_chars} fails with {@link ProviderFailure#tooLong}. Each attempt adds
   * a {@link Meter} to the plan's spend; one Parley stops counts what it spent up to then.
   */
  private Future<Completion> attempt(ModelProvider provider, ModelCall call, CallPlan plan) {
    StreamSender stream = plan.stream();
    Spend spend = plan.spend();
    int maxChars = settings.maxAnswerChars();
    Supplier<Future<Completion>> run = () -> {
      Promise<Completion> outcome = Promise.promise();
      long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(plan.deadline() - System.nanoTime()));
      long timer = vertx.setTimer(remainingMs, t -> stop(outcome, spend, plan.cancel(), ProviderFailure.timeout("request timeout")));
      plan.clientGone().onComplete(gone -> stop(outcome, spend, plan.cancel(), ProviderFailure.cancelled()));
      Consumer<String> onDelta = text -> {
        if (!outcome.future().isComplete()) {
          stream.delta(text);
        }
      };
      settings.retry().run(vertx,
              () -> outcome.future().isComplete() ? outcome.future()
                  : metered(spend.attempt(call.model()), meter -> stream != null ? provider.stream(call, onDelta, meter)
                      : provider.complete(call, meter).compose(answer -> capped(answer, maxChars))),
              () -> !outcome.future().isComplete() && !plan.delivered(),
              plan.deadline(),
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

  /** Parley ends a running attempt: what it spent so far counts, and its upstream request is stopped. */
  private static void stop(Promise<Completion> outcome, Spend spend, Promise<Void> cancel, ProviderFailure why) {
    if (!outcome.future().isComplete()) {
      spend.stop();
      outcome.tryFail(why);
      cancel.tryComplete();
    }
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
}
