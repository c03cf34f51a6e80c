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
    return analyse(text, false);
  }

  /**
   * Every term of the English analysis of the text, in reading order, question words kept: what the knowledge index
   * keeps with each chunk, so that a search does not analyse its candidates again. {@link #withoutQuestionWords} of it
   * is {@link #of} the same text.
   */
  public static List<String> analysed(String text) {
    return analyse(text, true);
  }

  /** The terms of an {@link #analysed} text less the question words: {@link #of} that text. */
  public static List<String> withoutQuestionWords(List<String> analysed) {
    List<String> terms = new ArrayList<>(analysed.size());
    for (String t : analysed) {
      if (!QUESTION_WORDS.contains(t)) {
        terms.add(t);
      }
    }
    return terms;
  }

  private static List<String> analyse(String text, boolean questionWords) {
    List<String> terms = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return terms;
    }
    try (TokenStream tokens = ENGLISH.tokenStream("text", text)) {
      CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
      tokens.reset();
      while (tokens.incrementToken()) {
        String t = term.toString();
        if (questionWords || !QUESTION_WORDS.contains(t)) {
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
