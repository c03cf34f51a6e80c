package dev.parley.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;

/** Waits, without blocking, for something that happens in the background. */
public final class Await {

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
}
