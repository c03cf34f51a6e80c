package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.AnswerSentences;
import dev.parley.common.Passage;
import dev.parley.rag.HelpdeskEvalTest.Question;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second stage of retrieval on the help-centre set of issue 16: the hybrid search's first
 * {@link Reranker#POOL} candidates re-ordered by {@link Relevance}, and a search abstaining when no passage
 * reaches the threshold. The questions are split in two (every other one): the weights of {@link Relevance} were
 * fitted on the first half ({@link #FIT}), and every number is logged for the fitted half, the held-out half and
 * the whole set, so that overfitting shows. A fresh fit on the first half is logged too, as Java, for when the
 * features change. The targets of the issue are asserted on the whole set.
 */
class RerankEvalTest {

  private static final Logger LOG = LoggerFactory.getLogger(RerankEvalTest.class);
  private static final int TOP_K = 5;
  private static final String FIT = "fitted half";
  private static final String HELD_OUT = "held-out half";
  private static final String WHOLE = "whole set";

  // What the reranked search measured on the whole set when written (docs/retrieval.md), so nothing gets worse (the
  // evaluation is deterministic). The targets of the issue are logged with these, each "met" or "NOT met"; those met
  // are asserted at the target itself (recall@1 and recall@5 of the ranking, recall@5 at the default threshold, the
  // extractive answer); the one not met (with all-MiniLM-L6-v2) is said so in docs/retrieval.md.
  static final double RECALL_AT_1_FLOOR = 0.911; // measured 0.912, 187 of 205 (held-out half 0.931; baseline 0.849)
  static final double SECTION_RECALL_AT_1_FLOOR = 0.809; // measured 0.810, 166 of 205 (baseline 0.756)
  static final double ABSTAIN_FLOOR = 0.333; // measured 0.333 (11 of 33) at the default threshold

  /** The targets of issue 16, on the whole set. */
  static final double RECALL_AT_1_TARGET = 0.90;
  static final double RECALL_AT_5_TARGET = 0.97;
  static final double ABSTAIN_TARGET = 0.80;
  static final double EXTRACTIVE_TARGET = 0.90;

  @TempDir
  static Path folder;

  static EvalIndex eval;
  static final Map<String, List<Question>> answerable = new LinkedHashMap<>();
  static final Map<String, List<Question>> unanswerable = new LinkedHashMap<>();
  /** Each question's first-stage candidates. */
  static final Map<Question, List<KnowledgeIndex.Hit>> pools = new LinkedHashMap<>();
  /** Each question's vector and the cosine between it and each candidate's section heading. */
  static final Map<Question, float[]> vectors = new LinkedHashMap<>();
  static final Map<Question, double[]> headings = new LinkedHashMap<>();

  /** What a search answers for one question at a threshold: the passages given, best first. */
  record Outcome(Question question, List<Reranker.Scored> given) {
  }

  @BeforeAll
  static void build() throws IOException, URISyntaxException {
    eval = EvalIndex.build(folder, HelpdeskEvalTest.DOCS);
    for (String half : List.of(FIT, HELD_OUT, WHOLE)) {
      answerable.put(half, new ArrayList<>());
      unanswerable.put(half, new ArrayList<>());
    }
    int[] seen = new int[2];
    for (Question q : HelpdeskEvalTest.questions()) {
      Map<String, List<Question>> kind = q.answerable() ? answerable : unanswerable;
      int i = seen[q.answerable() ? 0 : 1]++;
      kind.get(i % 2 == 0 ? FIT : HELD_OUT).add(q);
      kind.get(WHOLE).add(q);
      float[] v = eval.embed(q.text());
      List<KnowledgeIndex.Hit> pool = eval.search(q.text(), v, Reranker.POOL, KnowledgeIndex.Mode.HYBRID);
      pools.put(q, pool);
      vectors.put(q, v);
      headings.put(q, eval.headingCosines(v, pool));
    }
  }

  @AfterAll
  static void close() {
    eval.release();
  }

  @Test
  void the_relevance_weights_fit_on_one_half_and_are_logged() {
    List<double[]> rows = new ArrayList<>();
    List<Boolean> labels = new ArrayList<>();
    for (Question q : concat(answerable.get(FIT), unanswerable.get(FIT))) {
      List<KnowledgeIndex.Hit> pool = pools.get(q);
      double[][] features = Reranker.features(q.text(), pool, headings.get(q));
      for (int i = 0; i < pool.size(); i++) {
        rows.add(features[i]);
        labels.add(answers(q, pool.get(i)));
      }
    }
    double[] w = RelevanceFit.fit(rows, labels, 20_000, 0.5, 1e-4);
    LOG.info(String.format(Locale.ROOT, "Relevance fitted on %d candidates of %d questions (%s): BIAS = %.3f;"
        + " WEIGHTS = {%s};", rows.size(), answerable.get(FIT).size() + unanswerable.get(FIT).size(),
        Reranker.FEATURES, w[0], java(w, 1)));
    assertThat(w).doesNotContain(Double.NaN);
  }

  @Test
  void the_order_weights_fit_on_one_half_and_are_logged() {
    double[] w = fitOrder(answerable.get(FIT), pools, headings);
    LOG.info(String.format(Locale.ROOT, "Order fitted on the candidates of %d answerable questions: ORDER_WEIGHTS = {%s};",
        answerable.get(FIT).size(), java(w, 0)));
    assertThat(w).doesNotContain(Double.NaN);
  }

  /**
   * {@link Relevance#order}'s weights fitted on the candidates of these answerable questions. The 5,000 steps and the
   * L2 (the relevance's) were chosen by two-fold cross-validation within the fitted half.
   */
  static double[] fitOrder(List<Question> questions, Map<Question, List<KnowledgeIndex.Hit>> pools,
      Map<Question, double[]> headings) {
    List<double[][]> groups = new ArrayList<>();
    List<boolean[]> answering = new ArrayList<>();
    for (Question q : questions) {
      List<KnowledgeIndex.Hit> pool = pools.get(q);
      boolean[] answer = new boolean[pool.size()];
      for (int i = 0; i < pool.size(); i++) {
        answer[i] = answers(q, pool.get(i));
      }
      groups.add(Reranker.features(q.text(), pool, headings.get(q)));
      answering.add(answer);
    }
    return RelevanceFit.fitOrder(groups, answering, 5_000, 0.5, 1e-4);
  }

  private static String java(double[] weights, int from) {
    StringJoiner out = new StringJoiner(", ");
    for (int j = from; j < weights.length; j++) {
      out.add(String.format(Locale.ROOT, "%.3f", weights[j]));
    }
    return out.toString();
  }

  @Test
  void reranked_retrieval_is_measured_against_the_targets_on_both_halves() {
    for (String half : List.of(FIT, HELD_OUT, WHOLE)) {
      double[] s = measure(outcomes(answerable.get(half), -1));
      LOG.info(String.format(Locale.ROOT, "Reranked (%s, %d answerable): document recall@1=%.3f recall@5=%.3f MRR=%.3f"
          + " | section recall@1=%.3f recall@5=%.3f | fact in top-1=%.3f", half, answerable.get(half).size(),
          s[0], s[1], s[2], s[3], s[4], s[5]));
      for (double t = 0.02; t < 0.96; t += t < 0.3 ? 0.02 : 0.05) {
        logThreshold(half, t);
      }
      logThreshold(half, Relevance.DEFAULT_MIN_SCORE);
    }
    double[] whole = measure(outcomes(answerable.get(WHOLE), Relevance.DEFAULT_MIN_SCORE));
    double abstained = abstained(outcomes(unanswerable.get(WHOLE), Relevance.DEFAULT_MIN_SCORE));
    double[] heldOut = measure(outcomes(answerable.get(HELD_OUT), Relevance.DEFAULT_MIN_SCORE));
    double heldOutAbstained = abstained(outcomes(unanswerable.get(HELD_OUT), Relevance.DEFAULT_MIN_SCORE));
    double extractive = extractive(outcomes(answerable.get(WHOLE), Relevance.DEFAULT_MIN_SCORE));
    double heldOutExtractive = extractive(outcomes(answerable.get(HELD_OUT), Relevance.DEFAULT_MIN_SCORE));
    LOG.info(String.format(Locale.ROOT, "Extractive answer holds the expected fact: %.3f of answerable questions"
        + " (>= %.2f); held-out half %.3f", extractive, EXTRACTIVE_TARGET, heldOutExtractive));
    LOG.info(String.format(Locale.ROOT, "Targets at min_score %.2f: recall@1 %.3f (>= %.2f), recall@5 %.3f (>= %.2f),"
        + " abstain %.0f %% (>= %.0f %%); held-out half: %.3f, %.3f, %.0f %%", Relevance.DEFAULT_MIN_SCORE, whole[0],
        RECALL_AT_1_TARGET, whole[1], RECALL_AT_5_TARGET, 100 * abstained, 100 * ABSTAIN_TARGET, heldOut[0],
        heldOut[1], 100 * heldOutAbstained));
    double[] ranking = measure(outcomes(answerable.get(WHOLE), -1));
    logTarget("recall@1 >= 0.90 (ranking)", ranking[0], RECALL_AT_1_TARGET);
    logTarget("recall@5 >= 0.97 (ranking, no threshold)", ranking[1], RECALL_AT_5_TARGET);
    logTarget("recall@5 >= 0.97 (at the default threshold)", whole[1], RECALL_AT_5_TARGET);
    logTarget("unanswerable abstaining >= 80 % (at the default threshold)", abstained, ABSTAIN_TARGET);
    logTarget("extractive answer holds the fact >= 90 %", extractive, EXTRACTIVE_TARGET);
  }

  private static void logTarget(String target, double measured, double goal) {
    LOG.info(String.format(Locale.ROOT, "Target of issue 16, whole set: %-58s measured %.3f: %s", target, measured,
        measured >= goal ? "met" : "NOT met"));
  }

  @Test
  void the_reranked_search_holds_what_it_measured() {
    double[] all = measure(outcomes(answerable.get(WHOLE), -1));
    double[] kept = measure(outcomes(answerable.get(WHOLE), Relevance.DEFAULT_MIN_SCORE));
    assertThat(all[0]).isGreaterThanOrEqualTo(RECALL_AT_1_FLOOR);
    assertThat(all[0]).as("recall@1 of the ranking, a target of issue 16 that is met")
        .isGreaterThanOrEqualTo(RECALL_AT_1_TARGET);
    assertThat(all[1]).as("recall@5 of the ranking, a target of issue 16 that is met").isGreaterThanOrEqualTo(RECALL_AT_5_TARGET);
    assertThat(all[3]).isGreaterThanOrEqualTo(SECTION_RECALL_AT_1_FLOOR);
    assertThat(kept[1]).as("recall@5 at the default threshold, a target of issue 16 that is met")
        .isGreaterThanOrEqualTo(RECALL_AT_5_TARGET);
    assertThat(abstained(outcomes(unanswerable.get(WHOLE), Relevance.DEFAULT_MIN_SCORE)))
        .isGreaterThanOrEqualTo(ABSTAIN_FLOOR);
    assertThat(extractive(outcomes(answerable.get(WHOLE), Relevance.DEFAULT_MIN_SCORE)))
        .as("the extractive answer holds the fact, a target of issue 16 that is met")
        .isGreaterThanOrEqualTo(EXTRACTIVE_TARGET);
  }

  private static void logThreshold(String half, double threshold) {
    double[] s = measure(outcomes(answerable.get(half), threshold));
    List<Outcome> none = outcomes(unanswerable.get(half), threshold);
    LOG.info(String.format(Locale.ROOT, "Reranked (%s) min_score %.2f: %.0f %% of %d unanswerable abstain,"
        + " document recall@1=%.3f recall@5=%.3f, section recall@5=%.3f, answerable abstaining %.3f", half,
        threshold, 100 * abstained(none), none.size(), s[0], s[1], s[4], s[6]));
  }

  /** Each question's passages as a search with {@code minScore} and top_k 5 gives them. */
  static List<Outcome> outcomes(List<Question> questions, double minScore) {
    List<Outcome> out = new ArrayList<>();
    for (Question q : questions) {
      out.add(new Outcome(q, Reranker.keep(Reranker.rank(q.text(), pools.get(q), headings.get(q)), minScore, TOP_K)));
    }
    return out;
  }

  /** {doc R@1, doc R@5, doc MRR, section R@1, section R@5, fact in top-1, share abstaining}. */
  static double[] measure(List<Outcome> outcomes) {
    double[] sums = new double[7];
    for (Outcome o : outcomes) {
      Question q = o.question();
      int document = -1;
      int section = -1;
      for (int i = 0; i < o.given().size(); i++) {
        KnowledgeIndex.Hit h = o.given().get(i).hit();
        if (document < 0 && h.documentId().equals(q.document())) {
          document = i;
        }
        if (section < 0 && answers(q, h)) {
          section = i;
        }
      }
      sums[0] += document == 0 ? 1 : 0;
      sums[1] += document >= 0 ? 1 : 0;
      sums[2] += document >= 0 ? 1.0 / (document + 1) : 0;
      sums[3] += section == 0 ? 1 : 0;
      sums[4] += section >= 0 ? 1 : 0;
      sums[5] += !o.given().isEmpty() && HelpdeskEvalTest.containsFact(o.given().get(0).hit().content(), q.expected())
          ? 1 : 0;
      sums[6] += o.given().isEmpty() ? 1 : 0;
      if (section != 0) {
        LOG.debug("reranked section missed at 1: '{}' (expected {} › {}, got {})", q.text(), q.document(),
            q.heading(), o.given().stream().map(s -> s.hit().documentId() + " › " + HelpdeskEvalTest.sectionOf(s.hit())
                + String.format(Locale.ROOT, " %.2f", s.relevance())).toList());
      }
    }
    for (int i = 0; i < sums.length; i++) {
      sums[i] /= outcomes.size();
    }
    return sums;
  }

  /**
   * The share of questions whose extractive answer (the sentences chosen from the passages given, the first
   * {@link AnswerSentences#PASSAGES} with their sentences' similarity to the question, as a search gives them) holds
   * the fact.
   */
  static double extractive(List<Outcome> outcomes) {
    int holds = 0;
    for (Outcome o : outcomes) {
      List<Passage> passages = new ArrayList<>();
      for (Reranker.Scored s : o.given()) {
        KnowledgeIndex.Hit h = s.hit();
        passages.add(new Passage(h.documentId(), h.documentName(), h.heading(), null, h.content(), h.position(),
            s.relevance(), null, h.score(), passages.size() < AnswerSentences.PASSAGES
                ? eval.sentenceSimilarities(vectors.get(o.question()), h.content()) : null));
      }
      List<AnswerSentences.Sentence> sentences = AnswerSentences.pick(o.question().text(), passages);
      String answer = sentences.isEmpty() ? passages.isEmpty() ? "" : passages.get(0).text()
          : String.join(" ", sentences.stream().map(AnswerSentences.Sentence::text).toList());
      if (HelpdeskEvalTest.containsFact(answer, o.question().expected())) {
        holds++;
      } else {
        LOG.debug("extractive missed '{}' for '{}': {}", o.question().expected(), o.question().text(), answer);
      }
    }
    return (double) holds / outcomes.size();
  }

  static double abstained(List<Outcome> outcomes) {
    return (double) outcomes.stream().filter(o -> o.given().isEmpty()).count() / outcomes.size();
  }

  static boolean answers(Question q, KnowledgeIndex.Hit h) {
    return q.answerable() && h.documentId().equals(q.document()) && HelpdeskEvalTest.sectionOf(h).equals(q.heading());
  }

  private static List<Question> concat(List<Question> a, List<Question> b) {
    List<Question> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
