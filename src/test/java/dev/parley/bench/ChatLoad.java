package dev.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/** A closed-loop load of JSON chat turns: {@code concurrency} clients, each sending its next turn on an answer. */
final class ChatLoad {

  record Result(int turns, int errors, double seconds, double p50Ms, double p99Ms) {
    double perSecond() {
      return turns / seconds;
    }

    @Override
    public String toString() {
      return String.format("%8.0f turns/s   p50 %6.2f ms   p99 %6.2f ms   (%d turns, %d errors)", perSecond(), p50Ms, p99Ms,
          turns, errors);
    }
  }

  private ChatLoad() {
  }

  static Future<Result> run(WebClient client, String path, int concurrency, long durationMs) {
    return run(client, path, concurrency, durationMs, false);
  }

  /** For {@code durationMs}, JSON turns or streamed ones ({@code stream}). */
  static Future<Result> run(WebClient client, String path, int concurrency, long durationMs, boolean stream) {
    long end = System.nanoTime() + durationMs * 1_000_000L;
    return load(client, path, concurrency, stream, sent -> System.nanoTime() < end);
  }

  /** Until {@code turns} turns were sent. */
  static Future<Result> runTurns(WebClient client, String path, int concurrency, int turns, boolean stream) {
    AtomicInteger left = new AtomicInteger(turns);
    return load(client, path, concurrency, stream, sent -> left.getAndDecrement() > 0);
  }

  private static Future<Result> load(WebClient client, String path, int concurrency, boolean stream,
      IntPredicate goOn) {
    long start = System.nanoTime();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger errors = new AtomicInteger();
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      Promise<Void> done = Promise.promise();
      JsonObject body = new JsonObject().put("message", "Hello there, how are you today?")
          .put("session_id", "bench-session-" + i);
      if (stream) {
        body.put("stream", true);
      }
      loop(client, path, body, goOn, latencies, errors, done);
      loops.add(done.future());
    }
    return Future.all(loops).map(v -> {
      double seconds = (System.nanoTime() - start) / 1e9;
      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      return new Result(sorted.size(), errors.get(), seconds, percentile(sorted, 0.50), percentile(sorted, 0.99));
    });
  }

  private static void loop(WebClient client, String path, JsonObject body, IntPredicate goOn, List<Long> latencies,
      AtomicInteger errors, Promise<Void> done) {
    if (!goOn.test(latencies.size())) {
      done.complete();
      return;
    }
    long sent = System.nanoTime();
    client.post(path).sendJsonObject(body)
        .onComplete(result -> {
          if (result.succeeded() && result.result().statusCode() == 200) {
            latencies.add(System.nanoTime() - sent);
          } else {
            errors.incrementAndGet();
          }
          loop(client, path, body, goOn, latencies, errors, done);
        });
  }

  private static double percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)) / 1e6;
  }
}
