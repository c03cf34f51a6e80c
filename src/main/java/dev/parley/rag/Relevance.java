package dev.parley.rag;

/**
 * The calibrated relevance of a candidate passage: the chance (0–1) that it is the passage that answers the
 * question, by logistic regression over the {@link Reranker#FEATURES}. Unlike a cosine or a rank-fusion number it
 * means the same on every bot, so one threshold ({@code rag.min_score}) tells "the documents answer this" from
 * "they do not": when the best passage is below it, a search abstains.
 *
 * <p>The candidates are put in order by a second model over the same features, {@link #order}: which of a search's
 * candidates answers, fitted over the candidates of each question together (a softmax over them), so it weighs what
 * tells near-duplicates apart rather than what tells answerable questions from unanswerable ones. The chance decides
 * whether the documents answer; the order decides which passage comes first.
 *
 * <p>Both sets of weights were fitted by {@code RelevanceFit} (src/test) on half of the questions of the help-centre
 * evaluation set (every other one), and measured on the other half; docs/retrieval.md has both.
 */
final class Relevance {

  /**
   * The threshold a bot starts with ({@code rag.min_score}): on the fitted half, the highest at which no
   * answerable question abstained (see docs/retrieval.md). Low because it is the chance that one passage among
   * a score of near-duplicates is the one that answers.
   */
  static final double DEFAULT_MIN_SCORE = 0.09;

  static final double BIAS = -6.600;
  static final double[] WEIGHTS = {5.560, 6.719, -0.055, -0.261, -0.448, 2.471, -0.206, 0.073, 1.212, 2.918, 0.023,
      4.407, 3.176};

  /** The order's weights: no bias, which is the same for every candidate of a search. */
  static final double[] ORDER_WEIGHTS = {9.701, 9.701, -1.340, 0.994, 1.265, 6.627, -1.111, -0.000, 0.526, 0.024,
      2.035, 4.301, 1.474};

  private Relevance() {
  }

  static double of(double[] features) {
    double z = BIAS;
    for (int i = 0; i < WEIGHTS.length; i++) {
      z += WEIGHTS[i] * features[i];
    }
    return 1 / (1 + Math.exp(-z));
  }

  /**
   * The candidate's standing among its search's candidates: higher comes first, and {@code exp} of the difference
   * between two candidates' is how much likelier the one is to be the passage that answers than the other.
   */
  static double order(double[] features) {
    double z = 0;
    for (int i = 0; i < ORDER_WEIGHTS.length; i++) {
      z += ORDER_WEIGHTS[i] * features[i];
    }
    return z;
  }
}
