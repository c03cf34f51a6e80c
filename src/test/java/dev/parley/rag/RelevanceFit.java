package dev.parley.rag;

import java.util.Arrays;
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

  /**
   * The weights of {@link Relevance#order}: a conditional logit, fitted by full-batch gradient descent with the same
   * L2, over each question's candidates together ({@code groups}, one row of features per candidate) and which of them
   * answer ({@code answers}, their weight shared when several do); a question none of whose candidates answers says
   * nothing about the order and is left out. No bias: it is the same for every candidate of a question.
   */
  static double[] fitOrder(List<double[][]> groups, List<boolean[]> answers, int iterations, double rate, double l2) {
    int d = groups.get(0)[0].length;
    double[] w = new double[d];
    double[] share = new double[groups.size()];
    for (int g = 0; g < groups.size(); g++) {
      for (boolean answer : answers.get(g)) {
        share[g] += answer ? 1 : 0;
      }
    }
    long answered = Arrays.stream(share).filter(s -> s > 0).count();
    for (int it = 0; it < iterations; it++) {
      double[] grad = new double[d];
      for (int g = 0; g < groups.size(); g++) {
        if (share[g] == 0) {
          continue;
        }
        double[][] x = groups.get(g);
        double[] p = new double[x.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < x.length; r++) {
          for (int j = 0; j < d; j++) {
            p[r] += w[j] * x[r][j];
          }
          max = Math.max(max, p[r]);
        }
        double sum = 0;
        for (int r = 0; r < x.length; r++) {
          p[r] = Math.exp(p[r] - max);
          sum += p[r];
        }
        for (int r = 0; r < x.length; r++) {
          double err = p[r] / sum - (answers.get(g)[r] ? 1 / share[g] : 0);
          for (int j = 0; j < d; j++) {
            grad[j] += err * x[r][j];
          }
        }
      }
      for (int j = 0; j < d; j++) {
        w[j] -= rate * (grad[j] / answered + l2 * w[j]);
      }
    }
    return w;
  }
}
