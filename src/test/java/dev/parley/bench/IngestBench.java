package dev.parley.bench;

import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Ingestion throughput through the whole Parley (admin API → extraction, chunking, embedding,
 * SQLite, Lucene), against the embedding model's own throughput on passages of the same size.
 * The documents are the retrieval-evaluation documents (src/test/resources/eval/docs), uploaded
 * {@code copies} times under different names, or with {@code -Dbig=true} all of them concatenated into
 * one document per copy. {@code bench/run IngestBench [copies]}.
 */
public final class IngestBench {

  private static final int UPLOADS_IN_FLIGHT = 16;

  private IngestBench() {
  }

  public static void main(String[] args) throws Exception {
    int copies = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    Path dir = Files.createTempDirectory("parley-ingest");
    List<Path> files;
    try (Stream<Path> list = Files.list(Path.of("src/test/resources/eval/docs"))) {
      files = list.sorted().toList();
    }

    // the model alone, same process, batches of 16, passages of chunk size, after a warm-up
    Class<?> embeddings = Class.forName("dev.parley.rag.LocalEmbeddings");
    Method embed = embeddings.getDeclaredMethod("embed", Path.class, List.class);
    embed.setAccessible(true);
    List<String> texts = new ArrayList<>();
    for (String[] p : RetrievalBench.passages(480, new Random(3))) {
      texts.add(p[0] + "\n" + p[1]);
    }
    Path cache = dir.resolve("model-cache");
    System.out.println("load average at the start: " + loadAverage());
    embed.invoke(null, cache, texts.subList(0, 16));
    double modelRate = modelRate(embed, cache, texts, 16);
    double singleRate = modelRate(embed, cache, texts, 1);
    System.out.printf("embedding model alone: %.1f passages/s in batches of 16, %.1f passages/s one at a time"
        + " (%d passages, avg %.0f chars)%n", modelRate, singleRate, texts.size(),
        texts.stream().mapToInt(String::length).average().orElse(0));

    Vertx vertx = Vertx.vertx();
    try {
      TestApp app = TestApp.start(vertx, dir.resolve("data")).await();
      String bot = app.createBot(new JsonObject().put("name", "ingest")).await().getString("id");
      String path = "/api/bots/" + bot + "/documents";
      // one small document first, so the model is loaded before the clock starts
      app.admin(HttpMethod.POST, path).sendJsonObject(new JsonObject().put("name", "warm.md").put("text", "# Warm\n\nUp.")).await();
      KnowledgeBench.waitReady(app.client, TestApp.ADMIN_TOKEN, bot, 1);
      long bytes = 0;
      long start = System.nanoTime();
      int sent = 0;
      // "big": each upload is all the documents concatenated (many chunks per document)
      boolean big = Boolean.getBoolean("big");
      StringBuilder all = new StringBuilder();
      for (Path file : files) {
        all.append(Files.readString(file, StandardCharsets.UTF_8)).append("\n\n");
      }
      // up to UPLOADS_IN_FLIGHT uploads at once, as an admin's browser or a script sends them: one at a time, the
      // uploads themselves (HTTP, quota check, file, row) bounded the rate measured
      List<Future<?>> inFlight = new ArrayList<>();
      for (int c = 0; c < copies; c++) {
        for (Path file : big ? files.subList(0, 1) : files) {
          String text = big ? all.toString() : Files.readString(file, StandardCharsets.UTF_8);
          bytes += text.getBytes(StandardCharsets.UTF_8).length;
          inFlight.add(app.admin(HttpMethod.POST, path)
              .sendJsonObject(new JsonObject().put("name", c + "-" + file.getFileName()).put("text", text))
              .map(response -> {
                if (response.statusCode() != 202) {
                  throw new IllegalStateException("upload answered " + response.statusCode());
                }
                return response;
              }));
          sent++;
          if (inFlight.size() == UPLOADS_IN_FLIGHT) {
            Future.all(inFlight).await();
            inFlight.clear();
          }
        }
      }
      Future.all(inFlight).await();
      int chunks = KnowledgeBench.waitReady(app.client, TestApp.ADMIN_TOKEN, bot, sent + 1) - 1;
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("ingestion through Parley: %d documents, %.0f KB, %d chunks in %.1f s = %.1f chunks/s"
              + " = %.0f%% of the model alone in batches of 16 (target: 80%%), %.0f%% of it one at a time; %.1f KB/s;"
              + " load average now %s%n",
          sent, bytes / 1024.0, chunks, seconds, chunks / seconds, 100 * chunks / seconds / modelRate,
          100 * chunks / seconds / singleRate, bytes / 1024.0 / seconds, loadAverage());
    } finally {
      vertx.close().await();
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
