package dev.parley.common;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The sentences of the best passages that answer a question, for an answer without a model (the extractive
 * provider): every sentence of the first {@link #PASSAGES} passages is scored by the question's terms it holds
 * (weighted by how rare each is among those sentences), with a little credit for its passage's heading holding
 * them, plus, when retrieval measured it ({@link Passage#sentenceSimilarities()}), its meaning's similarity to the
 * question's ({@link #MEANING_WEIGHT}; so "amex" finds "American Express"), and counted by its passage's relevance;
 * the best {@link #MAX_SENTENCES} within {@link #MAX_CHARS} are kept in reading order (passage by passage, as
 * retrieval ranked them, then as the text has them).
 */
public final class AnswerSentences {

  /** How many passages sentences are taken from. */
  public static final int PASSAGES = 3;
  public static final int MAX_SENTENCES = 3;
  public static final int MAX_CHARS = 500;
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  /**
   * What a sentence's cosine to the question counts against its share of the question's terms (0–1): chosen on
   * the fitted half of the help-centre evaluation (docs/retrieval.md).
   */
  static final double MEANING_WEIGHT = 2.0;

  /** A chosen sentence: which passage (index in the list given) and where in it. */
  public record Sentence(int passage, int order, String text) {
  }

  private AnswerSentences() {
  }

  /**
   * The sentences to answer with, in reading order; empty when no sentence shares a term with the question
   * (then the caller answers with its first passage).
   */
  public static List<Sentence> pick(String question, List<Passage> passages) {
    List<String> terms = new ArrayList<>(new LinkedHashSet<>(Terms.of(question)));
    List<Sentence> all = new ArrayList<>();
    List<Set<String>> sentenceTerms = new ArrayList<>();
    List<Set<String>> headingTerms = new ArrayList<>();
    List<Double> meaning = new ArrayList<>(); // each sentence's cosine to the question, NaN when not measured
    for (int p = 0; p < Math.min(PASSAGES, passages.size()); p++) {
      Passage passage = passages.get(p);
      headingTerms.add(new HashSet<>(Terms.of(passage.heading())));
      int order = 0;
      List<String> sentences = split(passage.text() == null ? passage.snippet() : passage.text());
      List<Double> similarities = passage.text() != null && passage.sentenceSimilarities() != null
          && passage.sentenceSimilarities().size() == sentences.size() ? passage.sentenceSimilarities() : null;
      for (String sentence : sentences) {
        meaning.add(similarities == null ? Double.NaN : similarities.get(order));
        all.add(new Sentence(p, order++, sentence));
        sentenceTerms.add(new HashSet<>(Terms.of(sentence)));
      }
    }
    if (all.isEmpty() || terms.isEmpty()) {
      return List.of();
    }
    Map<String, Double> idf = new HashMap<>();
    double idfSum = 0;
    for (String t : terms) {
      int df = 0;
      for (Set<String> s : sentenceTerms) {
        df += s.contains(t) ? 1 : 0;
      }
      idf.put(t, Math.log((all.size() + 1.0) / (df + 0.5)));
      idfSum += idf.get(t);
    }
    double[] score = new double[all.size()];
    for (int i = 0; i < all.size(); i++) {
      Sentence s = all.get(i);
      double sum = 0;
      for (String t : terms) {
        if (sentenceTerms.get(i).contains(t)) {
          sum += idf.get(t);
        } else if (headingTerms.get(s.passage()).contains(t)) {
          sum += 0.3 * idf.get(t);
        }
      }
      double cosine = meaning.get(i);
      if (!Double.isNaN(cosine)) { // the share of the question's terms, and the meaning
        sum = (idfSum > 0 ? sum / idfSum : 0) + MEANING_WEIGHT * Math.max(0, cosine);
      }
      score[i] = sum * weight(passages, s.passage());
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> Double.compare(score[b], score[a]));
    List<Integer> chosen = new ArrayList<>();
    int chars = 0;
    for (int i : order) {
      if (chosen.size() >= MAX_SENTENCES || score[i] <= 0) {
        break;
      }
      int length = all.get(i).text().length();
      if (!chosen.isEmpty() && (chars + length > MAX_CHARS || score[i] < 0.25 * score[chosen.get(0)])) {
        continue;
      }
      chosen.add(i);
      chars += length;
    }
    chosen.sort(Integer::compare); // reading order: passage, then place in it
    return chosen.stream().map(all::get).toList();
  }

  /**
   * How much a passage's sentences count: its relevance to the best passage's, when retrieval scored them,
   * else a little less for each rank.
   */
  private static double weight(List<Passage> passages, int p) {
    Double best = passages.get(0).score();
    Double own = passages.get(p).score();
    if (best != null && own != null && best > 0) {
      return Math.max(0, own) / best;
    }
    return 1.0 - 0.15 * p;
  }

  /** The sentences of a text, whitespace flattened: those {@link Passage#sentenceSimilarities()} are given for. */
  public static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    String flat = WHITESPACE.matcher(text).replaceAll(" ").strip();
    BreakIterator sentences = BreakIterator.getSentenceInstance(Locale.ENGLISH);
    sentences.setText(flat);
    for (int start = sentences.first(), end = sentences.next(); end != BreakIterator.DONE;
        start = end, end = sentences.next()) {
      String s = flat.substring(start, end).strip();
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }
}
