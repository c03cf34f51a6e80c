package dev.parley.rag;

import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.UnicodeText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Groups short texts (visitors' questions) by meaning ({@code parley.rag.group}): each distinct text (case and
 * spacing ignored) is embedded once with the configured model, then taken in the order given and put in the group
 * whose centroid is most similar (cosine), when that is at least {@code threshold}, else it starts a group (greedy,
 * one pass: the first texts given lead). At most {@value #MAX_TEXTS} texts of at most {@value #MAX_CHARS} characters
 * (longer ones are cut for the embedding).
 */
final class Grouping {

  static final int MAX_TEXTS = 1_000;
  static final int MAX_CHARS = 1_000;
  static final double DEFAULT_THRESHOLD = 0.7;

  private final Vertx vertx;
  private final Embedders embedders;

  Grouping(Vertx vertx, Embedders embedders) {
    this.vertx = vertx;
    this.embedders = embedders;
  }

  /** {@code {texts, threshold?}} → {@code {model, groups: [[index, …], …]}} (indexes into texts, ascending; groups by their first text). */
  Future<JsonObject> group(JsonObject body) {
    JsonArray texts = body.getValue(Fields.TEXTS) instanceof JsonArray list ? list : null;
    if (texts == null || texts.size() > MAX_TEXTS || !texts.stream().allMatch(String.class::isInstance)) {
      throw ParleyException.invalid(Fields.TEXTS, "'texts' must be a list of at most " + MAX_TEXTS + " strings");
    }
    Object raw = body.getValue(Fields.THRESHOLD, DEFAULT_THRESHOLD);
    if (!(raw instanceof Number number) || number.doubleValue() <= 0 || number.doubleValue() > 1) {
      throw ParleyException.invalid(Fields.THRESHOLD, "'threshold' must be a number above 0 and at most 1");
    }
    double threshold = number.doubleValue();
    Map<String, List<Integer>> distinct = new LinkedHashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      distinct.computeIfAbsent(key(texts.getString(i)), k -> new ArrayList<>()).add(i);
    }
    List<String> keys = new ArrayList<>(distinct.keySet());
    Embedder model = embedders.configured();
    return embedAll(model, keys).compose(vectors -> vertx.executeBlocking(() -> {
      List<List<Integer>> groups = assign(vectors, threshold);
      JsonArray answer = new JsonArray();
      for (List<Integer> group : groups) {
        List<Integer> indexes = new ArrayList<>();
        group.forEach(k -> indexes.addAll(distinct.get(keys.get(k))));
        indexes.sort(null);
        answer.add(new JsonArray(new ArrayList<>(indexes)));
      }
      return new JsonObject().put(Fields.MODEL, model.model()).put(Fields.GROUPS, answer);
    }, false));
  }

  private static String key(String text) {
    String key = text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    return key.length() > MAX_CHARS ? UnicodeText.prefix(key, MAX_CHARS) : key;
  }

  /** The vectors of {@code texts}, in order, embedded {@link Embedder#batch()} at a time. */
  private static Future<List<float[]>> embedAll(Embedder model, List<String> texts) {
    List<float[]> vectors = new ArrayList<>(texts.size());
    Future<Void> chain = Future.succeededFuture();
    for (int start = 0; start < texts.size(); start += Math.max(1, model.batch())) {
      List<String> batch = texts.subList(start, Math.min(texts.size(), start + Math.max(1, model.batch())));
      chain = chain.compose(v -> model.embed(batch).map(embedded -> {
        vectors.addAll(embedded);
        return null;
      }));
    }
    return chain.map(v -> vectors);
  }

  /** Greedy grouping of unit vectors by their cosine to each group's centroid: lists of vector indexes. */
  static List<List<Integer>> assign(List<float[]> vectors, double threshold) {
    List<List<Integer>> groups = new ArrayList<>();
    List<double[]> sums = new ArrayList<>();
    for (int i = 0; i < vectors.size(); i++) {
      float[] vector = vectors.get(i);
      int best = -1;
      double bestScore = threshold;
      for (int g = 0; g < groups.size(); g++) {
        double score = cosine(sums.get(g), vector);
        if (score >= bestScore) {
          best = g;
          bestScore = score;
        }
      }
      if (best < 0) {
        groups.add(new ArrayList<>());
        sums.add(new double[vector.length]);
        best = groups.size() - 1;
      }
      groups.get(best).add(i);
      double[] sum = sums.get(best);
      for (int d = 0; d < vector.length; d++) {
        sum[d] += vector[d];
      }
    }
    return groups;
  }

  private static double cosine(double[] sum, float[] vector) {
    double dot = 0;
    double norm = 0;
    for (int d = 0; d < vector.length; d++) {
      dot += sum[d] * vector[d];
      norm += sum[d] * sum[d];
    }
    return norm == 0 ? 0 : dot / Math.sqrt(norm);
  }
}
