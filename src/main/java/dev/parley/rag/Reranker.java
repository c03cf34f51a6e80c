package dev.parley.rag;

import dev.parley.common.Terms;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The second stage of a search: the first stage's candidates (a few dozen at most, fused from the vector and
 * BM25 rankings) described by what distinguishes the passage that answers from its near-duplicates — its
 * similarity to the question, the question's terms in its section heading, its document title and its text
 * (weighted by how rare each term is among the candidates, so "tent" counts little when every candidate is
 * about tents and "pitched" a lot), the question's word pairs kept together, and how much of the question no
 * candidate speaks of at all, the similarity of the question to the passage's section heading alone (the heading
 * names what a section answers; embedded once and cached, {@link TextVectors}) and its BM25 score against the best
 * candidate's — and ordered by {@link Relevance}, the calibrated chance that it answers.
 *
 * <p>Pure and allocation-light: each candidate's text is analysed once, when it is indexed (the index keeps its
 * terms, {@link KnowledgeIndex.Hit#terms}), or here when the index did not keep them; nothing is kept between
 * searches.
 */
final class Reranker {

  /** How many first-stage candidates are re-scored. */
  static final int POOL = 20;

  /** A candidate and its relevance (0–1). */
  record Scored(KnowledgeIndex.Hit hit, double relevance) {
  }

  /** What each feature is, in the order {@link #features} writes them. */
  static final List<String> FEATURES = List.of("cosine", "cosine_gap", "fused_rank", "heading_terms", "title_terms",
      "text_terms", "word_pairs", "unknown_terms", "rarest_term", "document_cosine", "document_share",
      "heading_cosine_gap", "bm25_share");

  private Reranker() {
  }

  /**
   * The candidates in {@link Relevance#order}, best first, each with its relevance; {@code headingCosines[i]} is the
   * cosine between the question and candidate i's section heading alone ({@link #sectionOf}). The first carries the
   * search's confidence that the documents answer, the highest {@link Relevance#of} among the candidates; each other
   * its own, never above that of a passage before it, so relevance falls down the list.
   */
  static List<Scored> rank(String query, List<KnowledgeIndex.Hit> candidates, double[] headingCosines) {
    double[][] features = features(query, candidates, headingCosines);
    int n = candidates.size();
    double[] order = new double[n];
    double[] chance = new double[n];
    Integer[] ranked = new Integer[n];
    double confidence = 0;
    for (int i = 0; i < n; i++) {
      order[i] = Relevance.order(features[i]);
      chance[i] = Relevance.of(features[i]);
      confidence = Math.max(confidence, chance[i]);
      ranked[i] = i;
    }
    Arrays.sort(ranked, (a, b) -> Double.compare(order[b], order[a]));
    List<Scored> scored = new ArrayList<>(n);
    double relevance = confidence;
    for (int i : ranked) {
      relevance = scored.isEmpty() ? confidence : Math.min(relevance, chance[i]);
      scored.add(new Scored(candidates.get(i), relevance));
    }
    return scored;
  }

  /**
   * What a search gives of the ranked candidates: none when the best does not reach {@code minScore} (the
   * search abstains: the documents do not answer), else the first {@code topK}. The threshold decides whether
   * the documents answer, not how many passages a model reads: cutting the later passages at it too would lose
   * answers that rank second or third (measured in docs/retrieval.md).
   */
  static List<Scored> keep(List<Scored> ranked, double minScore, int topK) {
    if (ranked.isEmpty() || ranked.get(0).relevance() < minScore) {
      return List.of();
    }
    return ranked.subList(0, Math.min(topK, ranked.size()));
  }

  /** The last part of a passage's heading path: the heading of its own section ("" when it has none). */
  static String sectionOf(String headingPath) {
    String path = headingPath == null ? "" : headingPath;
    int cut = path.lastIndexOf(Chunker.HEADING_SEPARATOR);
    return cut < 0 ? path : path.substring(cut + Chunker.HEADING_SEPARATOR.length());
  }

  /** One row of {@link #FEATURES} per candidate. */
  static double[][] features(String query, List<KnowledgeIndex.Hit> candidates, double[] headingCosines) {
    int n = candidates.size();
    double[][] rows = new double[n][FEATURES.size()];
    if (n == 0) {
      return rows; // a bot without documents: its query is not even analysed
    }
    List<String> asked = Terms.of(query);
    List<String> terms = new ArrayList<>(new LinkedHashSet<>(asked));
    Set<String> wanted = new HashSet<>(terms);
    List<String> queryPairs = new ArrayList<>();
    Map<String, Set<String>> follows = new HashMap<>(); // the question's word pairs, by their first word
    for (int i = 1; i < asked.size(); i++) {
      queryPairs.add(asked.get(i - 1) + ' ' + asked.get(i));
      follows.computeIfAbsent(asked.get(i - 1), k -> new HashSet<>()).add(asked.get(i));
    }
    List<Set<String>> heading = new ArrayList<>(n);
    List<Set<String>> title = new ArrayList<>(n);
    List<Set<String>> text = new ArrayList<>(n);
    List<Set<String>> pairs = new ArrayList<>(n);
    Map<String, Integer> df = new HashMap<>();
    double bestCosine = Double.NEGATIVE_INFINITY;
    for (KnowledgeIndex.Hit hit : candidates) {
      String path = hit.heading() == null ? "" : hit.heading();
      int cut = path.lastIndexOf(Chunker.HEADING_SEPARATOR);
      int first = path.indexOf(Chunker.HEADING_SEPARATOR);
      heading.add(new HashSet<>(Terms.of(cut < 0 ? path : path.substring(cut + Chunker.HEADING_SEPARATOR.length()))));
      Set<String> titled = new HashSet<>(Terms.of(hit.documentName()));
      if (first >= 0) {
        titled.addAll(Terms.of(path.substring(0, first)));
      }
      title.add(titled);
      List<String> words = hit.terms() != null ? Terms.withoutQuestionWords(hit.terms())
          : Terms.of(KnowledgeIndex.analysedText(path, hit.content()));
      Set<String> all = new HashSet<>(); // the question's terms it holds: only those are looked up
      for (String w : words) {
        if (wanted.contains(w)) {
          all.add(w);
        }
      }
      for (String t : titled) {
        if (wanted.contains(t)) {
          all.add(t);
        }
      }
      text.add(all);
      Set<String> adjacent = new HashSet<>(); // the question's word pairs it holds
      for (int i = 1; i < words.size(); i++) {
        Set<String> next = follows.get(words.get(i - 1));
        if (next != null && next.contains(words.get(i))) {
          adjacent.add(words.get(i - 1) + ' ' + words.get(i));
        }
      }
      pairs.add(adjacent);
      for (String t : terms) {
        if (all.contains(t)) {
          df.merge(t, 1, Integer::sum);
        }
      }
      bestCosine = Math.max(bestCosine, hit.score());
    }
    double bestHeading = Double.NEGATIVE_INFINITY;
    double bestBm25 = 0;
    for (int c = 0; c < n; c++) {
      bestHeading = Math.max(bestHeading, headingCosines[c]);
      bestBm25 = Math.max(bestBm25, candidates.get(c).bm25());
    }
    double[] idf = new double[terms.size()];
    double idfSum = 0;
    double unknown = 0;
    String rarest = null;
    int rarestDf = Integer.MAX_VALUE;
    for (int i = 0; i < terms.size(); i++) {
      int d = df.getOrDefault(terms.get(i), 0);
      idf[i] = Math.log((n + 1.0) / (d + 0.5));
      idfSum += idf[i];
      if (d == 0) {
        unknown += idf[i];
      } else if (d < rarestDf) {
        rarestDf = d;
        rarest = terms.get(i);
      }
    }
    boolean rareMatters = rarest != null && rarestDf <= Math.max(2, n / 10);
    // the document's standing among the candidates: its best similarity and how many of them are its sections
    Map<String, double[]> documents = new HashMap<>();
    for (KnowledgeIndex.Hit hit : candidates) {
      double[] d = documents.computeIfAbsent(hit.documentId(), k -> new double[] {Double.NEGATIVE_INFINITY, 0});
      d[0] = Math.max(d[0], hit.score());
      d[1]++;
    }
    for (int c = 0; c < n; c++) {
      KnowledgeIndex.Hit hit = candidates.get(c);
      double[] f = rows[c];
      f[0] = hit.score();
      f[1] = hit.score() - bestCosine;
      f[2] = hit.fused() * (KnowledgeIndex.RRF_K + 1);
      f[3] = covered(terms, idf, idfSum, heading.get(c));
      f[4] = covered(terms, idf, idfSum, title.get(c));
      f[5] = covered(terms, idf, idfSum, text.get(c));
      int together = 0;
      for (String pair : queryPairs) {
        if (pairs.get(c).contains(pair)) {
          together++;
        }
      }
      f[6] = queryPairs.isEmpty() ? 0 : (double) together / queryPairs.size();
      f[7] = idfSum == 0 ? 1 : unknown / idfSum;
      f[8] = rareMatters && text.get(c).contains(rarest) ? 1 : 0;
      double[] d = documents.get(hit.documentId());
      f[9] = d[0] - bestCosine;
      f[10] = d[1] / n;
      f[11] = headingCosines[c] - bestHeading;
      f[12] = bestBm25 > 0 ? hit.bm25() / bestBm25 : 0;
    }
    return rows;
  }

  /** The share of the question's weight (its terms' rarity) that {@code present} holds. */
  private static double covered(List<String> terms, double[] idf, double idfSum, Set<String> present) {
    if (idfSum == 0) {
      return 0;
    }
    double sum = 0;
    for (int i = 0; i < terms.size(); i++) {
      if (present.contains(terms.get(i))) {
        sum += idf[i];
      }
    }
    return sum / idfSum;
  }
}
