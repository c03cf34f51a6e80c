package dev.parley.rag;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import dev.parley.rag.HelpdeskEvalTest.Question;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The embedding-model comparison of issue 16, a benchmark, not part of the test suite (it embeds the help-centre set twice, about two minutes on
 * 2 vCPU): all-MiniLM-L6-v2 (the default) against bge-small-en-v1.5, both quantised, on the help-centre set, for
 * quality (first stage, and the re-ranking with {@link Relevance} and its order fitted afresh for each model on the fitted half
 * and measured on the held-out half, as {@link RerankEvalTest} splits them) and speed (ms per passage, embedded in
 * batches as ingestion does, and per query). bge is asked with its query instruction; passages go as they are.
 *
 * <p>{@code bench/run dev.parley.rag.EmbeddingModelBench}; docs/retrieval.md has the numbers.
 */
public final class EmbeddingModelBench {

  static final String BGE_QUERY_PREFIX = "Represent this sentence for searching relevant passages: ";

  /** A model as the evaluation index uses it, timing what it embeds. */
  static final class Timed implements EvalIndex.Model {
    final EmbeddingModel model;
    final String queryPrefix;
    long passageNanos;
    int passages;
    long queryNanos;
    int queries;

    Timed(EmbeddingModel model, String queryPrefix) {
      this.model = model;
      this.queryPrefix = queryPrefix;
    }

    @Override
    public List<float[]> passages(List<String> texts) {
      long started = System.nanoTime();
      List<float[]> out = model.embedAll(texts.stream().map(t -> TextSegment.from(t.isBlank() ? "." : t)).toList())
          .content().stream().map(e -> LocalEmbeddings.normalised(e.vector())).toList();
      passageNanos += System.nanoTime() - started;
      passages += texts.size();
      return out;
    }

    @Override
    public float[] query(String text) {
      long started = System.nanoTime();
      float[] v = LocalEmbeddings.normalised(model.embed(queryPrefix + text).content().vector());
      queryNanos += System.nanoTime() - started;
      queries++;
      return v;
    }
  }

  /** Each question's heading cosines among its candidates (of the model being compared). */
  private static final Map<Question, double[]> HEADINGS = new java.util.HashMap<>();

  public static void main(String[] args) throws Exception {
    Path folder = Files.createTempDirectory("parley-models");
    System.setProperty("DJL_CACHE_DIR", folder.resolve("djl").toString());
    compare("all-MiniLM-L6-v2 (q)", new Timed(LocalEmbeddings.load(folder.resolve("djl")), ""), folder.resolve("minilm"));
    compare("bge-small-en-v1.5 (q)", new Timed(new BgeSmallEnV15QuantizedEmbeddingModel(), BGE_QUERY_PREFIX),
        folder.resolve("bge"));
  }

  private static void compare(String name, Timed model, Path folder) throws Exception {
    EvalIndex eval = EvalIndex.build(folder, HelpdeskEvalTest.DOCS, model);
    try {
      List<Question> fit = new ArrayList<>();
      List<Question> heldOut = new ArrayList<>();
      List<Question> answerable = new ArrayList<>();
      Map<Question, List<KnowledgeIndex.Hit>> pools = new LinkedHashMap<>();
      Map<Question, List<KnowledgeIndex.Hit>> vector = new LinkedHashMap<>();
      int[] seen = new int[2];
      for (Question q : HelpdeskEvalTest.questions()) {
        int i = seen[q.answerable() ? 0 : 1]++;
        (i % 2 == 0 ? fit : heldOut).add(q);
        if (q.answerable()) {
          answerable.add(q);
        }
        float[] v = eval.embed(q.text());
        List<KnowledgeIndex.Hit> pool = eval.search(q.text(), v, Reranker.POOL, KnowledgeIndex.Mode.HYBRID);
        pools.put(q, pool);
        HEADINGS.put(q, eval.headingCosines(v, pool));
        vector.put(q, eval.search(q.text(), v, 5, KnowledgeIndex.Mode.VECTOR));
      }
      double[] w = fit(fit, pools);
      double[] order = new double[w.length]; // {0, order weights…}: the shape reranked takes
      System.arraycopy(RerankEvalTest.fitOrder(answerable(fit), pools, HEADINGS), 0, order, 1, w.length - 1);
      System.out.println(String.format(Locale.ROOT, "%s: %.1f ms per passage (%d), %.1f ms per query (%d) | first stage: vector"
          + " recall@1 %.3f recall@5 %.3f, hybrid recall@1 %.3f recall@5 %.3f | re-ranked (fitted on the fitted half):"
          + " recall@1 %.3f (held-out %.3f) recall@5 %.3f (held-out %.3f)", name, model.passageNanos / 1e6 / model.passages,
          model.passages, model.queryNanos / 1e6 / model.queries, model.queries, recall(answerable, vector, 1),
          recall(answerable, vector, 5), recall(answerable, pools, 1), recall(answerable, pools, 5),
          recall(answerable, reranked(order, answerable, pools), 1),
          recall(answerable(heldOut), reranked(order, heldOut, pools), 1),
          recall(answerable, reranked(order, answerable, pools), 5),
          recall(answerable(heldOut), reranked(order, heldOut, pools), 5)));
      abstention(w, fit, heldOut, pools);
    } finally {
      eval.release();
    }
  }

  /**
   * Abstention as {@link RerankEvalTest} sets its default: the threshold is the lowest best relevance of an answerable
   * question of the fitted half (none of them abstains); printed with the unanswerable questions under it.
   */
  private static void abstention(double[] w, List<Question> fit, List<Question> heldOut,
      Map<Question, List<KnowledgeIndex.Hit>> pools) {
    double threshold = fit.stream().filter(Question::answerable).mapToDouble(q -> best(w, q, pools)).min().orElse(0);
    for (var part : List.of(Map.entry("fitted", fit), Map.entry("held-out", heldOut))) {
      List<Question> qs = part.getValue();
      long unanswerable = qs.stream().filter(q -> !q.answerable()).count();
      long abstain = qs.stream().filter(q -> !q.answerable() && best(w, q, pools) < threshold).count();
      long lost = qs.stream().filter(q -> q.answerable() && best(w, q, pools) < threshold).count();
      System.out.println(String.format(Locale.ROOT, "  abstention at %.3f, %s half: %d of %d unanswerable abstain (%.0f %%),"
          + " %d answerable abstain", threshold, part.getKey(), abstain, unanswerable, 100.0 * abstain / unanswerable, lost));
    }
  }

  /** The best relevance among a question's candidates. */
  private static double best(double[] w, Question q, Map<Question, List<KnowledgeIndex.Hit>> pools) {
    double[][] f = Reranker.features(q.text(), pools.get(q), HEADINGS.get(q));
    double best = 0;
    for (double[] row : f) {
      double z = w[0];
      for (int j = 0; j < row.length; j++) {
        z += w[j + 1] * row[j];
      }
      best = Math.max(best, 1 / (1 + Math.exp(-z)));
    }
    return best;
  }

  private static List<Question> answerable(List<Question> questions) {
    return questions.stream().filter(Question::answerable).toList();
  }

  /** {@link Relevance}'s features fitted on these questions' candidates, as {@link RerankEvalTest} fits them. */
  private static double[] fit(List<Question> questions, Map<Question, List<KnowledgeIndex.Hit>> pools) {
    List<double[]> rows = new ArrayList<>();
    List<Boolean> labels = new ArrayList<>();
    for (Question q : questions) {
      List<KnowledgeIndex.Hit> pool = pools.get(q);
      double[][] features = Reranker.features(q.text(), pool, HEADINGS.get(q));
      for (int i = 0; i < pool.size(); i++) {
        rows.add(features[i]);
        labels.add(RerankEvalTest.answers(q, pool.get(i)));
      }
    }
    return RelevanceFit.fit(rows, labels, 20_000, 0.5, 1e-4);
  }

  /** Each question's candidates ordered by the weights {@code w} ({bias, w1…}): the order's, as a search puts them. */
  private static Map<Question, List<KnowledgeIndex.Hit>> reranked(double[] w, List<Question> questions,
      Map<Question, List<KnowledgeIndex.Hit>> pools) {
    Map<Question, List<KnowledgeIndex.Hit>> out = new LinkedHashMap<>();
    for (Question q : questions) {
      List<KnowledgeIndex.Hit> pool = pools.get(q);
      double[][] f = Reranker.features(q.text(), pool, HEADINGS.get(q));
      double[] z = new double[pool.size()];
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < pool.size(); i++) {
        z[i] = w[0];
        for (int j = 0; j < f[i].length; j++) {
          z[i] += w[j + 1] * f[i][j];
        }
        order.add(i);
      }
      order.sort((a, b) -> Double.compare(z[b], z[a]));
      out.put(q, order.stream().map(pool::get).toList());
    }
    return out;
  }

  /** The share of answerable questions whose document is in the first {@code k} of their ranking. */
  private static double recall(List<Question> answerable, Map<Question, List<KnowledgeIndex.Hit>> ranked, int k) {
    long found = answerable.stream()
        .filter(q -> ranked.get(q).stream().limit(k).anyMatch(h -> h.documentId().equals(q.document()))).count();
    return (double) found / answerable.size();
  }
}
