package dev.parley.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * The terms of a text as the BM25 field indexes them (Lucene's English analysis: lower case, stop words out,
 * Porter stems), less the words a customer's question is made of whatever it asks ("how", "can", "my"…), so
 * that what is compared between a question and a passage is what the question is about. Retrieval's second stage
 * and the extractive provider's choice of sentences compare with it.
 */
public final class Terms {

  /** Thread-safe: Lucene keeps one token stream per thread. */
  private static final Analyzer ENGLISH = new EnglishAnalyzer();

  /** Question words, as stemmed by the analyser. */
  private static final Set<String> QUESTION_WORDS = Set.of("how", "what", "when", "where", "why", "who", "which",
      "do", "doe", "did", "i", "my", "me", "you", "your", "we", "our", "us", "can", "could", "would", "should",
      "have", "ha", "had", "get", "got", "am", "im", "much", "mani", "long", "ani", "so", "just", "still", "from",
      "about", "need", "want", "pleas", "thank", "hi", "hello", "some", "there", "it", "all", "after", "what'", "i'm");

  private Terms() {
  }

  /** The text's terms in reading order, repeats kept. */
  public static List<String> of(String text) {
    List<String> terms = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return terms;
    }
    try (TokenStream tokens = ENGLISH.tokenStream("text", text)) {
      CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
      tokens.reset();
      while (tokens.incrementToken()) {
        String t = term.toString();
        if (!QUESTION_WORDS.contains(t)) {
          terms.add(t);
        }
      }
      tokens.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a string reader does not fail
    }
    return terms;
  }
}
