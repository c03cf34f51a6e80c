package dev.parley.rag;

import java.util.List;

/**
 * Fits the weights of {@link Relevance}: logistic regression by full-batch gradient descent with a little L2 (unweighted, so
 * that the output stays a calibrated chance),
 * over one row of {@link Reranker#FEATURES} per candidate, labelled 1 when the candidate is the section that
 * answers. Small and deterministic (no random start), so a re-fit gives the same weights.
 */
final class RelevanceFit {

  private RelevanceFit() {
  }

  /** {bias, w1…wn}. */
  static double[] fit(List<double[]> rows, List<Boolean> labels, int iterations, double rate, double l2) {
    int d = rows.get(0).length;
    double[] w = new double[d + 1];
    for (int it = 0; it < iterations; it++) {
      double[] grad = new double[d + 1];
      for (int r = 0; r < rows.size(); r++) {
        double[] x = rows.get(r);
        double z = w[0];
        for (int j = 0; j < d; j++) {
          z += w[j + 1] * x[j];
        }
        double p = 1 / (1 + Math.exp(-z));
        double err = p - (labels.get(r) ? 1 : 0);
        grad[0] += err;
        for (int j = 0; j < d; j++) {
          grad[j + 1] += err * x[j];
        }
      }
      for (int j = 0; j <= d; j++) {
        w[j] -= rate * (grad[j] / rows.size() + (j == 0 ? 0 : l2 * w[j]));
      }
    }
    return w;
  }
}
