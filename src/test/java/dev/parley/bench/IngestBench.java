package dev.parley.bench;

import dev.parley.rag.IndexedTexts;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Ingestion throughput through the whole Parley (admin API → extraction, chunking, embedding,
 * SQLite, Lucene), against the embedding model's own throughput on the same texts (the documents' chunks as ingestion
 * embeds them).
 * The documents are the retrieval-evaluation documents (src/test/resources/eval/docs), uploaded
 * {@code copies} times under different names, or with {@code -Dbig=true} all of them concatenated into
 * one document per copy. {@code bench/run IngestBench [copies]}. After a warm-up, two phases on bots of their own: one
 * document per request (JSON, 16 requests in flight) and a copy's files in one multipart request (2 in flight), each
 * with the CPU of Parley's threads per document ({@link ThreadCpu}); the model is measured before and after.
 * {@code -Dwarmups=N}: copies uploaded in each phase of a warm-up round (5); rounds run until the JIT compilers take
 * under 5 % of a round's CPU, at most {@code -Dwarmup_rounds=N} (20). {@code -Dconfig=JSON} is merged over Parley's
 * config, e.g. {@code -Dconfig='{"rag":{"commit_interval_ms":1000}}'}.
 */
public final class IngestBench {

  private static final int UPLOADS_IN_FLIGHT = 16;
  private static final int FILE_UPLOADS_IN_FLIGHT = 2;
  private static final long VISITOR_PAUSE_MS = 300;
  /** Texts the model alone embeds in each measurement. */
  private static final int MODEL_TEXTS = 480;
  /** Passes over those texts before the model alone is measured. */
  private static final int MODEL_WARMUPS = 5;
  /** The warm-up ends when the JIT compilers take less than this share of a round's CPU. */
  private static final double WARM_JIT_SHARE = 0.05;

  private IngestBench() {
  }

  public static void main(String[] args) throws Exception {
    int copies = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    Path dir = Files.createTempDirectory("parley-ingest");
    List<Path> files;
    try (Stream<Path> list = Files.list(Path.of("src/test/resources/eval/docs"))) {
      files = list.sorted().toList();
    }

    List<Upload> documents = new ArrayList<>();
    StringBuilder all = new StringBuilder();
    for (Path file : files) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      documents.add(new Upload(file.getFileName().toString(), text));
      all.append(text).append("\n\n");
    }
    // "big": each document is all of them concatenated (many chunks per document), one per request
    if (Boolean.getBoolean("big")) {
      documents = List.of(new Upload("all.md", all.toString()));
    }

    // the model alone, same process, batches of 16, after a warm-up, on the very texts ingestion embeds (each chunk's
    // heading path and text), in the order the uploads send them
    Class<?> embeddings = Class.forName("dev.parley.rag.LocalEmbeddings");
    Method embed = embeddings.getDeclaredMethod("embed", Path.class, List.class);
    embed.setAccessible(true);
    List<String> chunkTexts = new ArrayList<>();
    for (Upload d : documents) {
      chunkTexts.addAll(IndexedTexts.ofMarkdown(d.text()));
    }
    List<String> texts = new ArrayList<>();
    while (texts.size() < MODEL_TEXTS) {
      texts.addAll(chunkTexts.subList(0, Math.min(chunkTexts.size(), MODEL_TEXTS - texts.size())));
    }
    Path cache = dir.resolve("model-cache");
    System.out.println("load average at the start: " + loadAverage());
    // warm: the tokenizer and pooling are Java code, and measured cold the model ran 10-25 % under its rate after the
    // phases (the first measurement counts as much as the second in the ratio)
    for (int i = 0; i < MODEL_WARMUPS; i++) {
      modelRate(embed, cache, texts, 16);
    }
    double modelRate = modelRate(embed, cache, texts, 16);
    double singleRate = modelRate(embed, cache, texts, 1);
    System.out.printf("embedding model alone: %.1f passages/s in batches of 16, %.1f passages/s one at a time"
        + " (%d passages: the documents' %d chunks as ingestion embeds them, avg %.0f chars)%n", modelRate, singleRate,
        texts.size(), chunkTexts.size(), texts.stream().mapToInt(String::length).average().orElse(0));

    Vertx vertx = Vertx.vertx();
    try {
      JsonObject overrides = new JsonObject(System.getProperty("config", "{}"));
      TestApp app = TestApp.start(vertx, dir.resolve("data"), overrides).await();
      // warm-up on bots of their own, the same paths, until the JIT compilers have caught up (under 5 % of the CPU of
      // a round, at most -Dwarmup_rounds), so that the clock starts with the code compiled, as in a server that has run
      // for a while (without it, the JIT compilers took a third of the CPU of the measured run)
      int warmups = Integer.getInteger("warmups", 5);
      int maxRounds = Integer.getInteger("warmup_rounds", 20);
      double jitShare = 1;
      int rounds = 0;
      while (rounds < maxRounds && jitShare >= WARM_JIT_SHARE) {
        Map<String, long[]> before = ThreadCpu.snapshot();
        ingest(app, "warm-up", documents, warmups, 1, UPLOADS_IN_FLIGHT, false);
        ingest(app, "warm-up", documents, warmups, documents.size(), FILE_UPLOADS_IN_FLIGHT, false);
        Map<String, Double> round = ThreadCpu.since(before);
        jitShare = round.getOrDefault("JIT compilers", 0.0) / round.get("all threads");
        rounds++;
      }
      System.out.printf("warm-up: %d rounds of %d documents, JIT compilers %.1f%% of the last round's CPU%n", rounds,
          2 * warmups * documents.size(), 100 * jitShare);
      // as a script sends them: one document per request (JSON {name, text}), 16 requests in flight
      double oneRate = ingest(app, "one document per request (JSON), " + UPLOADS_IN_FLIGHT + " in flight", documents,
          copies, 1, UPLOADS_IN_FLIGHT, true);
      // as an admin's files picked together are sent: several files per multipart request
      double manyRate = ingest(app, documents.size() + " files per multipart request, " + FILE_UPLOADS_IN_FLIGHT
          + " in flight", documents, copies, documents.size(), FILE_UPLOADS_IN_FLIGHT, true);
      double modelAfter = modelRate(embed, cache, texts, 16);
      double model = (modelRate + modelAfter) / 2;
      System.out.printf("embedding model alone after: %.1f passages/s in batches of 16 (before: %.1f; mean %.1f);"
          + " load average now %s%n", modelAfter, modelRate, model, loadAverage());
      System.out.printf("ratio to the model (mean of before and after, target 80%%): one per request %.0f%%, %d per"
          + " request %.0f%%%n", 100 * oneRate / model, documents.size(), 100 * manyRate / model);
      visitorDuringIngestion(app, documents, copies);
    } finally {
      vertx.close().await();
    }
  }

  /**
   * A visitor of another bot asks questions nobody asked before, 0.3 s apart (each a new query, and the bot's headings and
   * sentences new to the process: its documents' headings carry a tag of the phase), one after another: first while
   * nothing else runs, then while a third bot ingests {@code copies} copies of the documents, 34 files per request.
   * Prints the visitor's turn latencies in both phases: what a chat costs while an operator uploads.
   */
  private static void visitorDuringIngestion(TestApp app, List<Upload> documents, int copies) throws Exception {
    List<String> questions = KnowledgeBench.questions();
    int half = questions.size() / 2;
    String quiet = visitorBot(app, documents, "qzv");
    List<Long> alone = new ArrayList<>();
    ask(app, quiet, questions.subList(0, half).iterator(), alone, () -> false).await();
    String busy = visitorBot(app, documents, "bzx");
    List<Long> during = new ArrayList<>();
    AtomicBoolean ingesting = new AtomicBoolean(true);
    Future<Void> visitor = ask(app, busy, questions.subList(half, questions.size()).iterator(), during,
        () -> !ingesting.get());
    ingest(app, "while a visitor of another bot chats: " + documents.size() + " files per multipart request, "
        + FILE_UPLOADS_IN_FLIGHT + " in flight", documents, copies, documents.size(), FILE_UPLOADS_IN_FLIGHT, false);
    ingesting.set(false);
    visitor.await();
    System.out.printf("a visitor's new questions (extractive chat turns, one at a time): alone p50 %.1f ms p90 %.1f ms"
        + " max %.1f ms (%d turns); while another bot ingests p50 %.1f ms p90 %.1f ms max %.1f ms (%d turns)%n",
        percentile(alone, 0.5), percentile(alone, 0.9), percentile(alone, 1), alone.size(),
        percentile(during, 0.5), percentile(during, 0.9), percentile(during, 1), during.size());
  }

  /** A bot answering from one copy of the documents, every heading tagged, ready. */
  private static String visitorBot(TestApp app, List<Upload> documents, String tag) throws Exception {
    String bot = app.createBot(new JsonObject().put("name", "visitor-" + tag).put("provider", "extractive")
        .put("rate_limit", TestApp.UNTHROTTLED)).await().getString("id");
    MultipartForm form = MultipartForm.create();
    for (Upload d : documents) {
      form.binaryFileUpload("file", d.name(), Buffer.buffer(d.text().replaceAll("(?m)^(#+) ", "$1 " + tag + " ")),
          "text/markdown");
    }
    app.admin(HttpMethod.POST, "/api/bots/" + bot + "/documents").sendMultipartForm(form).await();
    KnowledgeBench.waitReady(app.client, TestApp.ADMIN_TOKEN, bot, documents.size());
    return bot;
  }

  /** Asks the questions one after another (until {@code stop}), adding each turn's milliseconds to {@code out}. */
  private static Future<Void> ask(TestApp app, String bot, Iterator<String> questions, List<Long> out,
      BooleanSupplier stop) {
    if (!questions.hasNext() || stop.getAsBoolean()) {
      return Future.succeededFuture();
    }
    long start = System.nanoTime();
    return app.chat(bot, new JsonObject().put("message", questions.next()).put("session_id", "visitor-" + bot))
        .compose(response -> {
          if (response.statusCode() != 200) {
            return Future.failedFuture("chat answered " + response.statusCode() + ": " + response.bodyAsString());
          }
          out.add(System.nanoTime() - start);
          // a visitor reads the answer before asking again; spreads the questions over the ingestion
          return app.vertx.timer(VISITOR_PAUSE_MS).compose(t -> ask(app, bot, questions, out, stop));
        });
  }

  private static double percentile(List<Long> nanos, double p) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
  }

  /** A document of the benchmark: its file name and text. */
  private record Upload(String name, String text) {
  }

  /**
   * Uploads {@code copies} copies of the documents to a new bot, {@code perRequest} to a request (1: JSON
   * {@code {name, text}}; more: multipart files), {@code inFlight} requests at once, and waits until all are ready.
   * Prints and answers the chunks per second when {@code print}.
   */
  private static double ingest(TestApp app, String label, List<Upload> documents, int copies, int perRequest,
      int inFlight, boolean print) throws Exception {
    String bot = app.createBot(new JsonObject().put("name", "ingest")).await().getString("id");
    String path = "/api/bots/" + bot + "/documents";
    List<List<Upload>> requests = new ArrayList<>();
    long bytes = 0;
    for (int c = 0; c < copies; c++) {
      for (int i = 0; i < documents.size(); i += perRequest) {
        List<Upload> request = new ArrayList<>();
        for (Upload d : documents.subList(i, Math.min(documents.size(), i + perRequest))) {
          request.add(new Upload(c + "-" + d.name(), d.text()));
          bytes += d.text().getBytes(StandardCharsets.UTF_8).length;
        }
        requests.add(request);
      }
    }
    int sent = copies * documents.size();
    Map<String, long[]> cpu = ThreadCpu.snapshot();
    long processCpu = ThreadCpu.process();
    long start = System.nanoTime();
    AtomicInteger next = new AtomicInteger();
    String[] lastIds = new String[requests.size()];
    List<Future<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < inFlight; i++) {
      lanes.add(lane(app, path, requests, next, lastIds));
    }
    Future.all(lanes).await();
    double uploaded = (System.nanoTime() - start) / 1e9;
    // the last document sent is among the last ready (the queue is first in, first out): wait for it alone, then read
    // the whole list; polling the whole list from the start cost this process O(documents) per poll
    waitReady(app, path + "/" + lastIds[lastIds.length - 1]);
    int chunks = KnowledgeBench.waitReady(app.client, TestApp.ADMIN_TOKEN, bot, sent);
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = chunks / seconds;
    if (print) {
      System.out.printf("%s: %d documents, %.0f KB, %d chunks in %.1f s (all uploaded after %.1f s) = %.1f chunks/s;"
          + " load average now %s%n", label, sent, bytes / 1024.0, chunks, seconds, uploaded, rate, loadAverage());
      Map<String, Double> groups = ThreadCpu.since(cpu);
      double exited = (ThreadCpu.process() - processCpu) * 10.0 - groups.get("all threads");
      groups.put("threads that ended meanwhile (Lucene merges, ...)", Math.max(0, exited));
      ThreadCpu.print(groups, sent, "document");
    }
    return rate;
  }

  /** Sends the requests one after another, taking the next not yet sent, until none is left. */
  private static Future<Void> lane(TestApp app, String path, List<List<Upload>> requests, AtomicInteger next,
      String[] lastIds) {
    int i = next.getAndIncrement();
    if (i >= requests.size()) {
      return Future.succeededFuture();
    }
    List<Upload> request = requests.get(i);
    Future<HttpResponse<Buffer>> sent;
    if (request.size() == 1) {
      sent = app.admin(HttpMethod.POST, path).sendJsonObject(new JsonObject().put("name", request.get(0).name())
          .put("text", request.get(0).text()));
    } else {
      MultipartForm form = MultipartForm.create();
      for (Upload d : request) {
        form.binaryFileUpload("file", d.name(), Buffer.buffer(d.text()), "text/markdown");
      }
      sent = app.admin(HttpMethod.POST, path).sendMultipartForm(form);
    }
    return sent.compose(response -> {
      if (response.statusCode() != 202) {
        return Future.failedFuture("upload answered " + response.statusCode() + ": " + response.bodyAsString());
      }
      JsonArray added = response.bodyAsJsonObject().getJsonArray("documents");
      lastIds[i] = added.getJsonObject(added.size() - 1).getString("id");
      return lane(app, path, requests, next, lastIds);
    });
  }

  /** Polls one document until it is ready; fails if it failed. */
  private static void waitReady(TestApp app, String documentPath) throws InterruptedException {
    while (true) {
      String status = app.admin(HttpMethod.GET, documentPath).send().await().bodyAsJsonObject().getString("status");
      if ("ready".equals(status)) {
        return;
      }
      if ("failed".equals(status)) {
        throw new IllegalStateException("ingestion failed: " + documentPath);
      }
      Thread.sleep(50);
    }
  }

  /** Passages per second of the model alone on {@code texts}, {@code batch} at a time. */
  private static double modelRate(Method embed, Path cache, List<String> texts, int batch) throws Exception {
    long t0 = System.nanoTime();
    for (int i = 0; i < texts.size(); i += batch) {
      embed.invoke(null, cache, texts.subList(i, Math.min(texts.size(), i + batch)));
    }
    return texts.size() / ((System.nanoTime() - t0) / 1e9);
  }

  static String loadAverage() {
    try {
      return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
