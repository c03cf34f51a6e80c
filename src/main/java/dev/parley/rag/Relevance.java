package dev.parley.rag;

/**
 * The calibrated relevance of a candidate passage: the chance (0–1) that it is the passage that answers the
 * question, by logistic regression over the {@link Reranker#FEATURES}. Unlike a cosine or a rank-fusion number it
 * means the same on every bot, so one threshold ({@code rag.min_score}) tells "the documents answer this" from
 * "they do not": when the best passage is below it, a search abstains.
 *
 * <p>The weights were fitted by {@code RelevanceFit} (src/test) on half of the questions of the help-centre
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

  private Relevance() {
  }

  static double of(double[] features) {
    double z = BIAS;
    for (int i = 0; i < WEIGHTS.length; i++) {
      z += WEIGHTS[i] * features[i];
    }
    return 1 / (1 + Math.exp(-z));
  }
}
