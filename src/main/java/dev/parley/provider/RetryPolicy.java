package dev.parley.provider;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * When and how long to wait before another attempt: 429, 5xx (529 included), in-band errors
 * and connection failures are retried at most {@code maxRetries} times, after the
 * {@code Retry-After} the upstream asked for when it is at most {@code maxRetryAfterSeconds},
 * otherwise after an exponential backoff with jitter between {@code initialMs} and {@code maxMs}.
 * A 429 asking for a longer wait fails at once; nothing waits past the call's deadline.
 */
public record RetryPolicy(int maxRetries, long initialMs, long maxMs, long maxRetryAfterSeconds) {

  /**
   * The delay before retry number {@code retry} (1 for the first retry) after {@code failure},
   * or -1 to stop and report it.
   */
  public long delayBefore(int retry, ProviderFailure failure) {
    if (!failure.retryable() || retry > maxRetries) {
      return -1;
    }
    if (failure.retryAfterMs() >= 0) {
      return failure.retryAfterMs() <= maxRetryAfterSeconds * 1000 ? failure.retryAfterMs() : -1;
    }
    return backoff(retry);
  }

  /** Exponential backoff with "equal jitter": half the step fixed, half random. */
  long backoff(int retry) {
    long step = Math.min(maxMs, initialMs << Math.min(30, retry - 1));
    long half = step / 2;
    return half + ThreadLocalRandom.current().nextLong(step - half + 1);
  }

  /**
   * Runs {@code attempt} until it succeeds, fails for good, or time runs out. Failures that are
   * not {@link ProviderFailure}s (a custom provider's own errors) are never retried.
   *
   * @param mayRetry checked before each retry (a stream stops retrying once a delta went out)
   * @param deadlineNanos {@link System#nanoTime()} after which no retry starts
   * @param onRetry told of each retry: its number and the failure that caused it
   */
  public <T> Future<T> run(Vertx vertx, Supplier<Future<T>> attempt, BooleanSupplier mayRetry, long deadlineNanos,
      BiConsumer<Integer, ProviderFailure> onRetry) {
    return attempt(vertx, attempt, mayRetry, deadlineNanos, onRetry, 1);
  }

  private <T> Future<T> attempt(Vertx vertx, Supplier<Future<T>> attempt, BooleanSupplier mayRetry, long deadlineNanos,
      BiConsumer<Integer, ProviderFailure> onRetry, int retry) {
    return attempt.get().recover(error -> {
      if (!(error instanceof ProviderFailure failure) || !mayRetry.getAsBoolean()) {
        return Future.failedFuture(error);
      }
      long delay = delayBefore(retry, failure);
      if (delay < 0 || System.nanoTime() + delay * 1_000_000 >= deadlineNanos) {
        return Future.failedFuture(failure);
      }
      onRetry.accept(retry, failure);
      return vertx.timer(Math.max(1, delay))
          .compose(v -> attempt(vertx, attempt, mayRetry, deadlineNanos, onRetry, retry + 1));
    });
  }
}
