package dev.parley.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waits for something that happens in the background: without blocking ({@link #until}), or, on a test's own
 * thread (never an event loop), blocking for a future's outcome ({@link #result}, {@link #failure}).
 */
public final class Await {

  /** How long {@link #result} and {@link #failure} wait. */
  public static final long BLOCKING_S = 30;

  private Await() {
  }

  /** Completes when {@code condition} holds (checked every 20 ms), fails after 10 s. */
  public static Future<Void> until(Vertx vertx, BooleanSupplier condition) {
    return until(vertx, condition, 10_000);
  }

  /** Completes when {@code condition} holds (checked every 20 ms), fails after {@code timeoutMs}. */
  public static Future<Void> until(Vertx vertx, BooleanSupplier condition, long timeoutMs) {
    Promise<Void> done = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    vertx.setPeriodic(20, timer -> {
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(timer);
        done.tryComplete();
      } else if (System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(timer);
        done.tryFail("condition not met in time");
      }
    });
    return done.future();
  }

  /**
   * Returns when {@code condition} holds (checked every 50 ms on the calling thread, so the condition may itself wait,
   * as for an HTTP answer); an AssertionError after {@code timeoutMs}. For a test's own thread, never an event loop.
   */
  public static void blockingUntil(BooleanSupplier condition, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("condition not met within " + timeoutMs + " ms");
      }
      Thread.sleep(50);
    }
  }

  /** The value of {@code future}, within {@link #BLOCKING_S}; its failure, or the wait's end, is an AssertionError. */
  public static <T> T result(Future<T> future) {
    return result(future, BLOCKING_S);
  }

  /** The value of {@code future}, within {@code seconds}; its failure, or the wait's end, is an AssertionError. */
  public static <T> T result(Future<T> future, long seconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException failed) {
      throw new AssertionError("failed: " + failed.getCause(), failed.getCause());
    } catch (TimeoutException | InterruptedException notDone) {
      throw new AssertionError("not complete within " + seconds + " s", notDone);
    }
  }

  /** The failure of {@code future}, within {@link #BLOCKING_S}; its success, or the wait's end, is an AssertionError. */
  public static Throwable failure(Future<?> future) {
    Object value;
    try {
      value = future.toCompletionStage().toCompletableFuture().get(BLOCKING_S, TimeUnit.SECONDS);
    } catch (ExecutionException failed) {
      return failed.getCause();
    } catch (TimeoutException | InterruptedException notDone) {
      throw new AssertionError("not complete within " + BLOCKING_S + " s", notDone);
    }
    throw new AssertionError("expected a failure, got " + value);
  }
}
