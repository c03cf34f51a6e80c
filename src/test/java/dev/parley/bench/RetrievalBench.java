package dev.parley.bench;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Retrieval latency at 1k, 10k and 100k chunks with the real index class
 * ({@code dev.parley.rag.KnowledgeIndex}, hybrid mode, top 5, one bot owning every chunk) and the
 * real embedding model ({@code dev.parley.rag.LocalEmbeddings}), query embedding included.
 *
 * <p>Chunks: {@code base} passages (default 2,000) are cut from the retrieval-evaluation documents
 * (src/test/resources/eval/docs: consecutive sentences up to ~800 characters under their heading)
 * and embedded for real; that also gives the model's own throughput. The index is filled to 100k
 * by reusing each passage with a unique marker word and its vector perturbed by Gaussian noise
 * and renormalised (cosine to the original ≈ 0.95), so the HNSW graph sees 100k distinct vectors
 * with the clustering of real text. Queries are the evaluation questions
 * (src/test/resources/eval/questions.tsv). The index classes are package-private; they are
 * reached by reflection so the benchmark exercises the production code unchanged.
 *
 * <p>{@code bench/run RetrievalBench <work folder> [base passages] [chunks per document]}
 */
public final class RetrievalBench {

  private RetrievalBench() {
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : Files.createTempDirectory("parley-retrieval").toString());
    int base = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    int perDocument = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    int max = Integer.getInteger("max", 100_000);
    int[] checkpoints = java.util.stream.IntStream.of(1_000, 10_000, 100_000).filter(c -> c <= max).toArray();
    Path cache = work.resolve("model-cache");
    Files.createDirectories(cache);

    Class<?> embeddings = Class.forName("dev.parley.rag.LocalEmbeddings");
    Method embed = embeddings.getDeclaredMethod("embed", Path.class, List.class);
    embed.setAccessible(true);
    Class<?> indexClass = Class.forName("dev.parley.rag.KnowledgeIndex");
    Method open = indexClass.getDeclaredMethod("open", Path.class);
    open.setAccessible(true);
    Class<?> entryClass = Class.forName("dev.parley.rag.KnowledgeIndex$Entry");
    Constructor<?> entry = entryClass.getDeclaredConstructor(String.class, int.class, String.class, String.class,
        float[].class);
    entry.setAccessible(true);
    Class<?> modeClass = Class.forName("dev.parley.rag.KnowledgeIndex$Mode");
    Method replace = indexClass.getDeclaredMethod("replaceDocument", String.class, String.class, String.class, List.class);
    replace.setAccessible(true);
    Method search = indexClass.getDeclaredMethod("search", String.class, String.class, float[].class, int.class,
        double.class, modeClass);
    search.setAccessible(true);
    Method release = indexClass.getDeclaredMethod("release");
    release.setAccessible(true);
    @SuppressWarnings({"unchecked", "rawtypes"})
    Object hybrid = Enum.valueOf((Class) modeClass, "HYBRID");

    List<String[]> passages = passages(base, new Random(42)); // {heading, content}
    List<String> texts = new ArrayList<>();
    for (String[] p : passages) {
      texts.add(p[0] + "\n" + p[1]);
    }
    List<String> questions = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("src/test/resources/eval/questions.tsv"))) {
      if (!line.startsWith("#") && line.contains("\t")) {
        questions.add(line.substring(0, line.indexOf('\t')));
      }
    }

    // the model's own throughput: batches of 16 (rag.embed_batch), after a warm-up
    embedAll(embed, cache, texts.subList(0, Math.min(64, texts.size())));
    long t0 = System.nanoTime();
    List<float[]> vectors = embedAll(embed, cache, texts);
    double embedSeconds = (System.nanoTime() - t0) / 1e9;
    double avgChars = texts.stream().mapToInt(String::length).average().orElse(0);
    System.out.printf("embedding model alone: %d passages (avg %.0f chars) in %.1f s = %.1f passages/s (batches of 16)%n",
        texts.size(), avgChars, embedSeconds, texts.size() / embedSeconds);

    Object index = open.invoke(null, work.resolve("index"));
    Random random = new Random(7);
    int written = 0;
    int document = 0;
    long indexNanos = 0;
    try {
      for (int checkpoint : checkpoints) {
        while (written < checkpoint) {
          int n = Math.min(perDocument, checkpoint - written);
          List<Object> entries = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            int id = written + i;
            int b = id % passages.size();
            float[] v = id < passages.size() ? vectors.get(b) : perturb(vectors.get(b), random);
            String content = id < passages.size() ? passages.get(b)[1] : passages.get(b)[1] + " (ref " + id + ")";
            entries.add(entry.newInstance("doc" + document + ":" + i, i, passages.get(b)[0], content, v));
          }
          long s = System.nanoTime();
          replace.invoke(index, "bot_bench", "doc" + document, "document " + document + ".md", entries);
          indexNanos += System.nanoTime() - s;
          written += n;
          document++;
        }
        System.out.printf("indexed %d chunks (%.0f chunks/s so far, %d documents of <= %d chunks, a commit each)%n",
            written, written / (indexNanos / 1e9), document, perDocument);
        measure(index, search, hybrid, embed, cache, questions, checkpoint, "");
      }
      // The index so far holds one bot, so searches skip the bot filter; with a second bot in it they filter.
      replace.invoke(index, "bot_other", "other-doc", "other.md", List.of(entry.newInstance("other:0", 0, "Other",
          "A passage of another bot.", vectors.get(0))));
      measure(index, search, hybrid, embed, cache, questions, written, ", shared with another bot (bot filter on)");
    } finally {
      release.invoke(index);
    }
  }

  private static void measure(Object index, Method search, Object mode, Method embed, Path cache,
      List<String> questions, int chunks, String note) throws Exception {
    int rounds = Integer.getInteger("queries", 400);
    for (int i = 0; i < 100; i++) { // warm-up
      String q = questions.get(i % questions.size());
      search.invoke(index, "bot_bench", q, embedOne(embed, cache, q), 5, 0.0, mode);
    }
    List<Long> total = new ArrayList<>();
    List<Long> embedOnly = new ArrayList<>();
    List<Long> searchOnly = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      String q = questions.get(i % questions.size());
      long s = System.nanoTime();
      float[] v = embedOne(embed, cache, q);
      long e = System.nanoTime();
      List<?> hits = (List<?>) search.invoke(index, "bot_bench", q, v, 5, 0.0, mode);
      long d = System.nanoTime();
      if (hits.isEmpty()) {
        throw new IllegalStateException("no hits for " + q);
      }
      total.add(d - s);
      embedOnly.add(e - s);
      searchOnly.add(d - e);
    }
    System.out.printf("%,7d chunks: search with query embedding p50 %6.2f ms p99 %6.2f ms"
            + "  (embedding p50 %5.2f ms, index search p50 %5.2f ms p99 %5.2f ms; %d queries, hybrid, top 5%s)%n",
        chunks, StreamBench.pct(total, 0.5), StreamBench.pct(total, 0.99), StreamBench.pct(embedOnly, 0.5),
        StreamBench.pct(searchOnly, 0.5), StreamBench.pct(searchOnly, 0.99), rounds, note);
  }

  private static float[] embedOne(Method embed, Path cache, String text) throws Exception {
    return embedAll(embed, cache, List.of(text)).get(0);
  }

  @SuppressWarnings("unchecked")
  private static List<float[]> embedAll(Method embed, Path cache, List<String> texts) throws Exception {
    List<float[]> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i += 16) {
      out.addAll((List<float[]>) embed.invoke(null, cache, texts.subList(i, Math.min(texts.size(), i + 16))));
    }
    return out;
  }

  private static float[] perturb(float[] v, Random random) {
    float[] out = new float[v.length];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] + random.nextGaussian() * 0.016);
      norm += out[i] * out[i];
    }
    norm = Math.sqrt(norm);
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (out[i] / norm);
    }
    return out;
  }

  /**
   * Passages of consecutive sentences (up to ~800 characters, like the chunker's default
   * chunk_size) from one evaluation document, under the heading of their first sentence.
   */
  static List<String[]> passages(int count, Random random) throws Exception {
    List<List<String[]>> documents = new ArrayList<>(); // per document: {heading, sentence}
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/eval/docs"))) {
      for (Path file : files.sorted().toList()) {
        List<String[]> sentences = new ArrayList<>();
        String title = "";
        String heading = "";
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (line.startsWith("#")) {
            String h = line.replaceFirst("^#+\\s*", "");
            if (line.startsWith("# ")) {
              title = h;
              heading = h;
            } else {
              heading = title + " › " + h;
            }
          } else if (!line.isBlank()) {
            for (String sentence : line.strip().split("(?<=[.!?])\\s+")) {
              sentences.add(new String[] {heading, sentence});
            }
          }
        }
        if (!sentences.isEmpty()) {
          documents.add(sentences);
        }
      }
    }
    List<String[]> out = new ArrayList<>(count);
    while (out.size() < count) {
      List<String[]> sentences = documents.get(random.nextInt(documents.size()));
      int from = random.nextInt(sentences.size());
      StringBuilder passage = new StringBuilder();
      for (int i = from; i < sentences.size() && passage.length() + sentences.get(i)[1].length() < 800; i++) {
        passage.append(sentences.get(i)[1]).append(' ');
      }
      if (passage.length() == 0) {
        passage.append(sentences.get(from)[1], 0, Math.min(800, sentences.get(from)[1].length()));
      }
      out.add(new String[] {sentences.get(from)[0], passage.toString().strip()});
    }
    return out;
  }
}
