package dev.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streamed turns against a Parley process and the fake model server (bench/fake-openai.js):
 * time to first token through Parley against the fake's own, then how many streams one Parley
 * process holds open at once, with its RSS and heap. Run by bench/perf:
 * {@code bench/run StreamBench <parley url> <bot> <hold bot> <fake base url> <parley pid> [streams]}.
 */
public final class StreamBench {

  private StreamBench() {
  }

  public static void main(String[] args) throws Exception {
    String parley = args[0];
    String bot = args[1];
    String holdBot = args[2];
    String fake = args[3];
    long pid = Long.parseLong(args[4]);
    int streams = args.length > 5 ? Integer.parseInt(args[5]) : 10_000;
    int turns = Integer.getInteger("turns", 500);
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
          new PoolOptions().setHttp1MaxSize(streams + 100));
      String fakeBody = new JsonObject().put("model", "gpt-4o-mini").put("stream", true)
          .put("stream_options", new JsonObject().put("include_usage", true))
          .put("messages", new JsonArray()
              .add(new JsonObject().put("role", "system").put("content", "You are a helpful assistant."))
              .add(new JsonObject().put("role", "user").put("content", "Hello there, how are you today?")))
          .encode();
      // warm-up both paths, then measure sequentially (concurrency 1)
      ttft(vertx, client, fake + "/chat/completions", fakeBody, "\"content\":\"T", 200, "x").await();
      ttft(vertx, client, parley + "/api/chat/" + bot, null, "event: delta", 300, "warm").await();
      List<Long> fakeTimes = ttft(vertx, client, fake + "/chat/completions", fakeBody, "\"content\":\"T", turns, "x").await();
      List<Long> parleyTimes = ttft(vertx, client, parley + "/api/chat/" + bot, null, "event: delta", turns, "ttft").await();
      double fp50 = pct(fakeTimes, 0.5);
      double pp50 = pct(parleyTimes, 0.5);
      System.out.printf("time to first token, c=1, %d turns: fake p50 %.3f ms p99 %.3f ms; Parley p50 %.3f ms p99 %.3f ms;"
          + " Parley adds %.3f ms at p50%n", turns, fp50, pct(fakeTimes, 0.99), pp50, pct(parleyTimes, 0.99), pp50 - fp50);
      System.out.printf("Parley RSS before the streams: %d MB%n", rssMb(pid));
      openStreams(vertx, client, parley + "/api/chat/" + holdBot, streams, pid);
    } finally {
      vertx.close().await();
    }
  }

  /** Sequential streamed requests; the time from sending each to the first buffer holding {@code marker}. */
  private static Future<List<Long>> ttft(Vertx vertx, HttpClient client, String url, String fixedBody, String marker,
      int n, String sessionPrefix) {
    List<Long> times = new ArrayList<>();
    Promise<List<Long>> done = Promise.promise();
    // on an event loop, so each response's handler is set before its body can arrive
    vertx.runOnContext(v -> next(client, url, fixedBody, marker, n, sessionPrefix, times, done));
    return done.future();
  }

  private static void next(HttpClient client, String url, String fixedBody, String marker, int n, String prefix,
      List<Long> times, Promise<List<Long>> done) {
    if (times.size() >= n) {
      done.complete(times);
      return;
    }
    String body = fixedBody != null ? fixedBody : new JsonObject().put("message", "Hello there, how are you today?")
        .put("session_id", "bench-" + prefix + "-" + (times.size() % 16)).encode();
    long sent = System.nanoTime();
    long[] first = {0};
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
            .putHeader("Content-Type", "application/json").putHeader("Accept", "text/event-stream")
            .putHeader("Authorization", "Bearer sk-bench"))
        .compose(request -> request.send(Buffer.buffer(body)))
        .compose(response -> {
          if (response.statusCode() != 200) {
            return Future.failedFuture("status " + response.statusCode());
          }
          response.handler(chunk -> {
            if (first[0] == 0 && chunk.toString().contains(marker)) {
              first[0] = System.nanoTime() - sent;
            }
          });
          return response.end();
        })
        .onComplete(result -> {
          if (result.failed() || first[0] == 0) {
            done.tryFail("streamed turn failed: " + (result.failed() ? result.cause() : "no " + marker));
            return;
          }
          times.add(first[0]);
          next(client, url, fixedBody, marker, n, prefix, times, done);
        });
  }

  /**
   * Opens {@code n} streamed turns on a bot whose model sends one delta and then holds its stream
   * open (model {@code hold-<ms>}), at {@code rate} per second, and reports how many are open
   * with their first token, Parley's RSS and heap.
   */
  private static void openStreams(Vertx vertx, HttpClient client, String url, int n, long pid) throws Exception {
    int rate = Integer.getInteger("rate", 1000);
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger headers = new AtomicInteger();
    AtomicInteger firstToken = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger openWithToken = new AtomicInteger();
    AtomicInteger errorEvents = new AtomicInteger();
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    long timer = vertx.setPeriodic(10, id -> {
      long due = Math.min(n, (System.nanoTime() - start) * rate / 1_000_000_000L);
      while (sent.get() < due) {
        int i = sent.getAndIncrement();
        boolean[] seen = {false, false};
        client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                .putHeader("Content-Type", "application/json").putHeader("Accept", "text/event-stream"))
            .compose(request -> request.send(new JsonObject().put("message", "Hello there, how are you today?")
                .put("session_id", "bench-hold-" + i).toBuffer()))
            .compose(response -> {
              if (response.statusCode() != 200) {
                return Future.failedFuture("status " + response.statusCode());
              }
              headers.incrementAndGet();
              response.handler(chunk -> {
                String text = chunk.toString();
                if (!seen[0] && text.contains("event: delta")) {
                  seen[0] = true;
                  firstToken.incrementAndGet();
                  openWithToken.incrementAndGet();
                }
                if (!seen[1] && text.contains("event: error")) {
                  seen[1] = true;
                  errorEvents.incrementAndGet();
                  if (errors.size() < 3) {
                    errors.add(text.trim().replace('\n', ' '));
                  }
                }
              });
              return response.end();
            })
            .onComplete(r -> {
              if (seen[0]) {
                openWithToken.decrementAndGet();
              }
              if (r.failed()) {
                failed.incrementAndGet();
                if (errors.size() < 3) {
                  errors.add(String.valueOf(r.cause()));
                }
              } else {
                finished.incrementAndGet();
              }
            });
      }
    });
    long maxRss = 0;
    int bestOpen = 0;
    int maxSse = 0;
    long rssAtBest = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(n / rate + 25);
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000);
      long rss = rssMb(pid);
      maxRss = Math.max(maxRss, rss);
      int open = openWithToken.get();
      maxSse = Math.max(maxSse, headers.get() - finished.get());
      if (open >= bestOpen) {
        bestOpen = open;
        rssAtBest = rss;
      }
      System.out.printf("  t=%3ds sent %5d  SSE open %5d  open with first token %5d  ended %5d (%d with event: error)"
              + "  failed %5d  RSS %5d MB%n",
          (System.nanoTime() - start) / 1_000_000_000L, sent.get(), headers.get() - finished.get(), open,
          finished.get(), errorEvents.get(), failed.get(), rss);
      if (sent.get() >= n && (open + failed.get() >= n || finished.get() + failed.get() >= n)) {
        break;
      }
    }
    vertx.cancelTimer(timer);
    Thread.sleep(2000);
    long rss = rssMb(pid);
    String heap = jcmd(pid, "GC.heap_info");
    System.out.printf("streams: %d requested, %d open with their first token now (max %d), %d ended (%d with event: error),"
            + " %d failed; at most %d SSE responses open at once; Parley RSS %d MB (max %d MB, %d MB at the most open)%n",
        n, openWithToken.get(), bestOpen, finished.get(), errorEvents.get(), failed.get(), maxSse, rss, maxRss, rssAtBest);
    System.out.println("Parley heap while they are open: " + heapSummary(heap));
    jcmd(pid, "GC.run");
    System.out.println("Parley heap after a full GC, still open: " + heapSummary(jcmd(pid, "GC.heap_info"))
        + "; RSS " + rssMb(pid) + " MB");
    if (!errors.isEmpty()) {
      System.out.println("first errors: " + errors);
    }
  }

  /** The RSS of Parley's process and its children (the server JVM its launcher started, if it did). */
  static long rssMb(long pid) {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(pid),
        ProcessHandle.of(pid).stream().flatMap(ProcessHandle::children).map(ProcessHandle::pid))
        .mapToLong(StreamBench::ownRssKb).sum() / 1024;
  }

  private static long ownRssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D+", ""));
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }

  /** jcmd on the JVM that runs Parley: the launcher's child when it started one. */
  static String jcmd(long pid, String command) {
    long server = ProcessHandle.of(pid).stream().flatMap(ProcessHandle::children).mapToLong(ProcessHandle::pid)
        .findFirst().orElse(pid);
    try {
      Process p = new ProcessBuilder("jcmd", String.valueOf(server), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      return out;
    } catch (IOException | InterruptedException e) {
      return "";
    }
  }

  private static final Pattern HEAP = Pattern.compile("garbage-first heap\\s+total (\\d+)K, used (\\d+)K");

  static String heapSummary(String heapInfo) {
    Matcher m = HEAP.matcher(heapInfo);
    return m.find() ? String.format("used %d MB of %d MB committed", Long.parseLong(m.group(2)) / 1024,
        Long.parseLong(m.group(1)) / 1024) : heapInfo.trim();
  }

  static double pct(List<Long> values, double p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)) / 1e6;
  }
}
