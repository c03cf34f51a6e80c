package dev.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Knowledge turns through HTTP, end to end, against a running Parley ({@code bench/perf knowledge} starts the
 * jar): a bot's knowledge base of {@code chunks} passages (uploaded through the admin API in at most
 * {@value #MAX_DOCUMENTS} documents, so a large base holds documents of many passages each: 100,000 chunks are
 * 1,000 documents of 100; the time it took to build is printed, as a chunks/s rate), then
 * {@code POST /api/bots/{id}/search} and chat turns with retrieval ({@code POST /api/chat/{id}}), with the
 * extractive provider and with the model Parley is configured with (the fake in bench/perf): p50/p99 at one visitor
 * and turns/s at 16. Queries are the evaluation questions, cycled (so repeated queries are included, as on a real
 * site). {@code bench/run KnowledgeBench <base url> <admin token> [chunks, 1000] [seconds per run, 10]}; with
 * {@code in-process} for the URL and the token, a whole Parley runs in this JVM ({@code TestApp}, its in-process
 * fake model), for a profiler attached through {@code BENCH_JAVA_OPTS}.
 */
public final class KnowledgeBench {

  /** The most documents the knowledge base is uploaded as; beyond {@code MAX_DOCUMENTS} chunks each holds several. */
  static final int MAX_DOCUMENTS = 1_000;

  private KnowledgeBench() {
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    if ("in-process".equals(args[0])) {
      dev.parley.testing.TestApp app = dev.parley.testing.TestApp.start(vertx,
          Files.createTempDirectory("parley-knowledge").resolve("data")).await();
      args[0] = "http://127.0.0.1:" + app.port;
      args[1] = dev.parley.testing.TestApp.ADMIN_TOKEN;
    }
    URI base = URI.create(args[0]);
    String token = args[1];
    int chunks = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    List<String> questions = questions();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost(base.getHost())
        .setDefaultPort(base.getPort()), new PoolOptions().setHttp1MaxSize(32));
    try {
      System.out.println("load average at the start: " + IngestBench.loadAverage());
      JsonObject bot = admin(client, token, HttpMethod.POST, "/api/bots").sendJsonObject(new JsonObject()
          .put("name", "knowledge-bench").put("provider", "extractive").put("history_limit", 20)
          .put("rate_limit", new JsonObject().put("per_session_per_minute", 0).put("per_address_per_minute", 0)))
          .await().bodyAsJsonObject();
      String id = bot.getString("id");
      List<String> documents = documents(RetrievalBench.passages(chunks, new Random(7)));
      long t0 = System.nanoTime();
      List<Future<?>> uploads = new ArrayList<>();
      for (int i = 0; i < documents.size(); i++) {
        uploads.add(checked(admin(client, token, HttpMethod.POST, "/api/bots/" + id + "/documents")
            .sendJsonObject(new JsonObject().put("name", "passages-" + i + ".md").put("text", documents.get(i))), 202));
        if (uploads.size() == 16) {
          Future.all(uploads).await();
          uploads.clear();
        }
      }
      Future.all(uploads).await();
      int indexed = waitReady(client, token, id, documents.size());
      double buildSeconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("knowledge base: %d chunks in %d documents (%d passages each), uploaded and ready in %.1f s "
          + "= %.1f chunks/s%n", indexed, documents.size(), (chunks + documents.size() - 1) / documents.size(),
          buildSeconds, indexed / buildSeconds);

      AtomicInteger n = new AtomicInteger();
      IntFunction<Future<?>> search = i -> checked(admin(client, token, HttpMethod.POST, "/api/bots/" + id + "/search")
          .sendJsonObject(new JsonObject().put("query", questions.get(i % questions.size())).put("top_k", 4)));
      IntFunction<Future<?>> chat = i -> checked(client.post("/api/chat/" + id).putHeader("Content-Type", "application/json")
          .sendJsonObject(new JsonObject().put("message", questions.get(i % questions.size()))
              .put("session_id", "kb-bench-" + (i % 64))));
      run("search", search, seconds, n);
      run("chat, extractive", chat, seconds, n);
      admin(client, token, HttpMethod.PUT, "/api/bots/" + id).sendJsonObject(new JsonObject().put("provider", "openai")
          .put("model", "gpt-4o-mini").put("api_key", "sk-bench-0000000000000000")).await();
      run("chat, model", chat, seconds, n);
      System.out.println("load average at the end: " + IngestBench.loadAverage());
    } finally {
      vertx.close().await();
    }
  }

  private static HttpRequest<Buffer> admin(WebClient client, String token, HttpMethod method, String path) {
    return client.request(method, path).putHeader("Authorization", "Bearer " + token);
  }

  private static Future<?> checked(Future<io.vertx.ext.web.client.HttpResponse<Buffer>> response) {
    return checked(response, 200);
  }

  private static Future<?> checked(Future<io.vertx.ext.web.client.HttpResponse<Buffer>> response, int status) {
    return response.compose(r -> r.statusCode() == status ? Future.succeededFuture()
        : Future.failedFuture("answered " + r.statusCode() + ": " + r.bodyAsString()));
  }

  /**
   * The passages as Markdown documents, at most {@value #MAX_DOCUMENTS}, each passage a section under its own
   * heading (one chunk each, the same chunk a one-passage document makes of it).
   */
  static List<String> documents(List<String[]> passages) {
    int perDocument = Math.max(1, (passages.size() + MAX_DOCUMENTS - 1) / MAX_DOCUMENTS);
    List<String> documents = new ArrayList<>();
    for (int from = 0; from < passages.size(); from += perDocument) {
      StringBuilder text = new StringBuilder();
      for (String[] p : passages.subList(from, Math.min(passages.size(), from + perDocument))) {
        text.append("# ").append(p[0]).append("\n\n").append(p[1]).append("\n\n");
      }
      documents.add(text.toString());
    }
    return documents;
  }

  /** Warm-up, then one visitor (p50/p99) and 16 at once (per second), each for {@code seconds}. */
  private static void run(String label, IntFunction<Future<?>> request, int seconds, AtomicInteger n) throws Exception {
    long warmUntil = System.nanoTime() + 3_000_000_000L;
    while (System.nanoTime() < warmUntil) {
      request.apply(n.getAndIncrement()).await();
    }
    List<Long> latencies = new ArrayList<>();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      long start = System.nanoTime();
      request.apply(n.getAndIncrement()).await();
      latencies.add(System.nanoTime() - start);
    }
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    AtomicInteger done = new AtomicInteger();
    long started = System.nanoTime();
    long stop = started + seconds * 1_000_000_000L;
    List<Future<Void>> loops = new ArrayList<>();
    for (int v = 0; v < 16; v++) {
      Promise<Void> loop = Promise.promise();
      visitor(request, n, done, stop, loop);
      loops.add(loop.future());
    }
    Future.all(loops).await();
    double elapsed = (System.nanoTime() - started) / 1e9;
    System.out.printf("%-18s c=1: p50 %6.2f ms  p99 %6.2f ms (%d requests; target p50 <= 5 ms)   c=16: %7.1f req/s"
            + "   load average %s%n", label, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
        sorted.length, done.get() / elapsed, IngestBench.loadAverage());
  }

  private static void visitor(IntFunction<Future<?>> request, AtomicInteger n, AtomicInteger done, long stop,
      Promise<Void> finished) {
    if (System.nanoTime() >= stop) {
      finished.complete();
      return;
    }
    request.apply(n.getAndIncrement()).onComplete(r -> {
      if (r.failed()) {
        finished.fail(r.cause());
        return;
      }
      done.incrementAndGet();
      visitor(request, n, done, stop, finished);
    });
  }

  /** The questions of the retrieval evaluation (src/test/resources/eval/questions.tsv), in order. */
  static List<String> questions() throws java.io.IOException {
    List<String> questions = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("src/test/resources/eval/questions.tsv"))) {
      if (!line.isBlank() && line.indexOf('\t') > 0) {
        questions.add(line.substring(0, line.indexOf('\t')));
      }
    }
    return questions;
  }

  /**
   * Polls the bot's counts per status until {@code count} documents are ready (throws if one failed); answers their
   * chunk total, summed over the whole list once.
   */
  static int waitReady(WebClient client, String token, String bot, int count) throws InterruptedException {
    String documents = "/api/bots/" + bot + "/documents";
    while (true) {
      JsonObject counts = admin(client, token, HttpMethod.GET, documents + "?limit=1").send().await()
          .bodyAsJsonObject().getJsonObject("counts");
      if (counts.getInteger("failed") > 0) {
        throw new IllegalStateException("ingestion failed: " + admin(client, token, HttpMethod.GET,
            documents + "?status=failed&limit=1").send().await().bodyAsString());
      }
      if (counts.getInteger("ready") >= count) {
        break;
      }
      Thread.sleep(200);
    }
    JsonArray docs = admin(client, token, HttpMethod.GET, documents + "?status=ready").send().await()
        .bodyAsJsonObject().getJsonArray("documents");
    int chunks = 0;
    for (int i = 0; i < docs.size(); i++) {
      chunks += docs.getJsonObject(i).getInteger("chunks_total", 0);
    }
    return chunks;
  }
}
