package dev.parley.rag;

import dev.parley.common.AnswerSentences;
import dev.parley.common.Passage;
import dev.parley.common.Terms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * What a knowledge turn spends after the index search, per call, on the help-centre evaluation set (issue 17):
 * the second stage of a hybrid search ({@link Reranker#rank} over the first {@link Reranker#POOL} candidates), the
 * English analysis it does of them ({@link Terms#of}, the bulk of its work), and the extractive provider's choice of
 * sentences ({@link AnswerSentences#pick} over the first 4 passages). Each question's candidates come from the real
 * index (built once, local model); each measure cycles through the questions for {@code seconds} after a warm-up and
 * prints p50, mean and p99 in microseconds. Prints numbers, asserts nothing:
 * {@code bench/run dev.parley.rag.RerankBench [seconds, 5]}.
 */
public final class RerankBench {

  private RerankBench() {
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    System.out.println("load average at the start: " + loadAverage());
    Path folder = Files.createTempDirectory("parley-rerank-bench");
    EvalIndex eval = EvalIndex.build(folder, HelpdeskEvalTest.DOCS);
    try {
      List<String> questions = new ArrayList<>();
      List<List<KnowledgeIndex.Hit>> pools = new ArrayList<>();
      List<List<Passage>> answers = new ArrayList<>();
      int chars = 0;
      for (HelpdeskEvalTest.Question q : HelpdeskEvalTest.questions()) {
        List<KnowledgeIndex.Hit> pool = eval.search(q.text(), eval.embed(q.text()), Reranker.POOL,
            KnowledgeIndex.Mode.HYBRID);
        questions.add(q.text());
        pools.add(pool);
        List<Passage> top = new ArrayList<>();
        for (Reranker.Scored s : Reranker.rank(q.text(), pool, new double[pool.size()]).subList(0, Math.min(4, pool.size()))) {
          KnowledgeIndex.Hit h = s.hit();
          top.add(new Passage(h.documentId(), h.documentName(), h.heading(), null, h.content(), h.position(),
              s.relevance(), null, h.score()));
        }
        answers.add(top);
        chars += pool.stream().mapToInt(h -> h.content().length()).sum();
      }
      System.out.printf("%d questions, %.1f candidates and %.0f characters of passages each%n", questions.size(),
          pools.stream().mapToInt(List::size).average().orElse(0), (double) chars / questions.size());
      int n = questions.size();
      measure("Reranker.rank (features + relevance of the pool)", seconds,
          // the headings' cosines are given (TextVectors keeps them): this times the features and the relevance only
          i -> Reranker.rank(questions.get(i % n), pools.get(i % n), new double[pools.get(i % n).size()]));
      measure("of which: Terms.of of the pool's passages", seconds, i -> {
        for (KnowledgeIndex.Hit h : pools.get(i % n)) {
          Terms.of(h.heading() + "\n" + h.content());
        }
      });
      measure("AnswerSentences.pick (4 passages)", seconds,
          i -> AnswerSentences.pick(questions.get(i % n), answers.get(i % n)));
      System.out.println("load average at the end: " + loadAverage());
    } finally {
      eval.release();
    }
  }

  private static String loadAverage() throws java.io.IOException {
    String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return parts[0] + " " + parts[1] + " " + parts[2];
  }

  /** Runs {@code call} for 2 s, then for {@code seconds}, timing each call; prints p50, mean and p99. */
  private static void measure(String label, int seconds, IntConsumer call) throws java.io.IOException {
    int i = 0;
    long warm = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < warm) {
      call.accept(i++);
    }
    long[] took = new long[1 << 20];
    int count = 0;
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < end && count < took.length) {
      long start = System.nanoTime();
      call.accept(i++);
      took[count++] = System.nanoTime() - start;
    }
    long[] sorted = Arrays.copyOf(took, count);
    Arrays.sort(sorted);
    System.out.printf("%-52s p50 %8.1f µs   mean %8.1f µs   p99 %8.1f µs   (%d calls; load average %s)%n", label,
        sorted[count / 2] / 1e3, Arrays.stream(sorted).average().orElse(0) / 1e3, sorted[(int) (count * 0.99)] / 1e3,
        count, loadAverage());
  }
}
