package dev.parley.rag;

import dev.parley.common.RagClient;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * What a search makes of a question of any length a bot accepts (up to {@link #MAX_CHARS}).
 *
 * <p>BM25: one clause per distinct term, weighted by how often the question repeats it (the same score
 * as one clause per word), and never more than {@link #MAX_TERMS} clauses, far below Lucene's limit of
 * 1,024 (a long question used to pass it and lose its passages). When a question has more distinct
 * terms, the rarest in the index are kept: a term no chunk holds cannot match, and a rare one says
 * more about what is asked than a common one.
 *
 * <p>Vectors: an embedding model reads a few hundred tokens, and an embeddings API refuses a long
 * input, so a longer question is embedded as its first and last {@link #EMBEDDED_CHARS}/2 characters,
 * where a question usually puts what it asks.
 */
final class SearchQuery {

  static final int MAX_CHARS = RagClient.MAX_QUERY_CHARS;
  static final int MAX_TERMS = 64;
  static final int EMBEDDED_CHARS = 2_000;

  private SearchQuery() {
  }

  /** The BM25 query for {@code text} over {@code field}, or null when it holds no searchable term. */
  static Query bm25(Analyzer analyzer, IndexReader reader, String field, String text) throws IOException {
    Map<String, Integer> counts = new LinkedHashMap<>();
    try (TokenStream tokens = analyzer.tokenStream(field, text)) {
      CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
      tokens.reset();
      while (tokens.incrementToken()) {
        counts.merge(term.toString(), 1, Integer::sum);
      }
      tokens.end();
    }
    List<String> kept = new ArrayList<>(counts.keySet());
    if (kept.size() > MAX_TERMS) {
      Map<String, Integer> frequency = new HashMap<>();
      for (String term : kept) {
        frequency.put(term, reader.docFreq(new Term(field, term)));
      }
      kept = kept.stream()
          .filter(term -> frequency.get(term) > 0)
          .sorted(Comparator.comparingInt(frequency::get)) // stable: among equals, the question's order
          .limit(MAX_TERMS)
          .toList();
    }
    if (kept.isEmpty()) {
      return null;
    }
    BooleanQuery.Builder query = new BooleanQuery.Builder();
    for (String term : kept) {
      Query clause = new TermQuery(new Term(field, term));
      int repeats = counts.get(term);
      query.add(repeats > 1 ? new BoostQuery(clause, repeats) : clause, BooleanClause.Occur.SHOULD);
    }
    return query.build();
  }

  /** The text the vector search embeds: the question, or its beginning and end when it is long. */
  static String embedded(String text) {
    if (text.length() <= EMBEDDED_CHARS) {
      return text;
    }
    int half = EMBEDDED_CHARS / 2;
    return wholeChars(text, 0, half) + "\n…\n" + wholeChars(text, text.length() - half, text.length());
  }

  /** {@code text[from, to)}, moved inwards so that no surrogate pair is cut. */
  private static String wholeChars(String text, int from, int to) {
    if (from > 0 && Character.isLowSurrogate(text.charAt(from))) {
      from++;
    }
    if (to < text.length() && Character.isHighSurrogate(text.charAt(to - 1))) {
      to--;
    }
    return text.substring(from, to);
  }
}
