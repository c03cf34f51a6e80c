package dev.parley.common;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One knowledge-base passage as {@code parley.rag.search} answers it ({@code results:[…]}), and, without
 * its {@code text} and {@code position}, as an answer's {@code sources} carry it. The rag component writes
 * passages through this type; the chat turn, the citation modes and the extractive provider read the same
 * field names. {@code url} is the page a URL or sitemap document came from, else null; {@code score} the
 * relevance (the calibrated chance, 0–1, that the passage answers the query; in the {@code vector} and
 * {@code bm25} preview modes the cosine) and {@code similarity} the cosine similarity (search results only).
 * {@code sentenceSimilarities} (search results in hybrid mode, the first {@link AnswerSentences#PASSAGES} passages
 * only, else null) is the cosine between the query and each sentence of {@code text} as
 * {@link AnswerSentences#split} cuts it, in order: the extractive provider picks the sentences that answer by it.
 */
public record Passage(String documentId, String documentName, String heading, String snippet, String text,
    Integer position, Double score, String url, Double similarity, List<Double> sentenceSimilarities) {

  /** A passage without sentence similarities. */
  public Passage(String documentId, String documentName, String heading, String snippet, String text,
      Integer position, Double score, String url, Double similarity) {
    this(documentId, documentName, heading, snippet, text, position, score, url, similarity, null);
  }

  public static final String DOCUMENT_ID = Fields.DOCUMENT_ID;
  public static final String DOCUMENT_NAME = "document_name";
  public static final String HEADING = "heading";
  public static final String SNIPPET = "snippet";
  public static final String TEXT = Fields.TEXT;
  public static final String POSITION = "position";
  public static final String SCORE = "score";
  public static final String URL = "url";
  public static final String SIMILARITY = "similarity";
  public static final String SENTENCE_SIMILARITIES = "sentence_similarities";

  /** The fields of a passage kept as an answer's source (no full text). */
  public static final List<String> SOURCE_FIELDS = List.of(DOCUMENT_ID, DOCUMENT_NAME, URL, HEADING, SNIPPET, SCORE);

  /** The passage a search result or a stored source holds; fields it lacks are null. */
  public static Passage from(JsonObject json) {
    List<Double> sentences = null;
    if (json.getValue(SENTENCE_SIMILARITIES) instanceof JsonArray array) {
      sentences = new ArrayList<>(array.size());
      for (Object value : array) {
        sentences.add(value instanceof Number n ? n.doubleValue() : 0.0);
      }
    }
    return new Passage(json.getString(DOCUMENT_ID), json.getString(DOCUMENT_NAME), json.getString(HEADING),
        json.getString(SNIPPET), json.getString(TEXT), json.getInteger(POSITION), json.getDouble(SCORE),
        json.getString(URL), json.getDouble(SIMILARITY), sentences);
  }

  /** The same passage with the page it came from. */
  public Passage withUrl(String url) {
    return new Passage(documentId, documentName, heading, snippet, text, position, score, url, similarity,
        sentenceSimilarities);
  }

  /** The same passage with the similarity of the query to each of its sentences. */
  public Passage withSentenceSimilarities(List<Double> similarities) {
    return new Passage(documentId, documentName, heading, snippet, text, position, score, url, similarity,
        similarities);
  }

  /** The passage as a search result. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put(DOCUMENT_ID, documentId)
        .put(DOCUMENT_NAME, documentName)
        .put(HEADING, heading)
        .put(SNIPPET, snippet)
        .put(TEXT, text)
        .put(POSITION, position)
        .put(SCORE, score)
        .put(SIMILARITY, similarity)
        .put(URL, url);
    if (sentenceSimilarities != null) {
      json.put(SENTENCE_SIMILARITIES, new JsonArray(new ArrayList<>(sentenceSimilarities)));
    }
    return json;
  }

  /** The passage as an answer's source: {@link #SOURCE_FIELDS}. */
  public JsonObject toSource() {
    return new JsonObject()
        .put(DOCUMENT_ID, documentId)
        .put(DOCUMENT_NAME, documentName)
        .put(URL, url)
        .put(HEADING, heading)
        .put(SNIPPET, snippet)
        .put(SCORE, score);
  }
}
