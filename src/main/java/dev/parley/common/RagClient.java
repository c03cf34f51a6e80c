package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Sender side of the knowledge-base component ({@code parley.rag.*}); one per verticle, the request id passed per call. */
public final class RagClient {

  /** The reply field of a search that matched the stored answers too ({@link #retrieve} with {@code answers}). */
  public static final String ANSWER_MATCH = "answer_match";
  /** In a search's {@code answers}: a match is the turn's whole answer, nothing else is searched. */
  public static final String DIRECT = "direct";

  /** The longest query a search takes: the largest {@code max_message_chars} a bot may have. */
  public static final int MAX_QUERY_CHARS = 100_000;

  private final Bus bus;
  private final long timeoutMs;
  private final long heartbeatMs;
  private final LocalKnowledge local;

  public RagClient(Bus bus, Timeouts timeouts) {
    this.bus = bus;
    this.local = LocalKnowledge.of(bus.vertx());
    this.timeoutMs = timeouts.ragMs();
    this.heartbeatMs = timeouts.heartbeatMs();
  }

  /**
   * Hybrid retrieval over the bot's ready documents: the best {@code topK} passages whose
   * relevance ({@code score}, 0–1) is at least {@code minScore}, best first, as
   * {@code {document_id, document_name, heading, snippet, text, score, similarity, position, url}}.
   * {@code mode} is {@code hybrid} (default), {@code vector} or {@code bm25}. A search on another node that
   * dies fails with 503 {@code node_lost} after three missed heartbeats.
   */
  public Future<JsonArray> search(String requestId, String botId, String query, int topK, double minScore, String mode) {
    return retrieve(requestId, botId, query, topK, minScore, mode).map(r -> r.getJsonArray(Fields.RESULTS, new JsonArray()));
  }

  /**
   * As {@link #search}, the whole answer: {@code {results:[…], nothing_found}}; {@code nothing_found} is true when
   * the bot has documents but none reaches {@code minScore} (the search abstained), false when it found passages
   * or has no documents to search.
   */
  public Future<JsonObject> retrieve(String requestId, String botId, String query, int topK, double minScore,
      String mode) {
    return retrieve(requestId, botId, query, topK, minScore, mode, null);
  }

  /**
   * As {@link #retrieve(String, String, String, int, double, String)}, a chat turn's search: with {@code answers}
   * {@code {threshold, direct}} the query is also matched against the bot's stored answers in the same request (its
   * embedding made once for both), and the answer holds {@code answer_match}: what
   * {@link #matchAnswer} would answer, or null. With {@code direct} true, a match is answered without searching
   * ({@code results} empty). A match that fails is answered as null.
   */
  public Future<JsonObject> retrieve(String requestId, String botId, String query, int topK, double minScore,
      String mode, JsonObject answers) {
    JsonObject body = new JsonObject().put(Fields.BOT_ID, botId).put(Fields.QUERY, query)
        .put(Fields.TOP_K, topK).put(Fields.MIN_SCORE, minScore);
    if (mode != null) {
      body.put(Fields.MODE, mode);
    }
    if (answers != null) {
      body.put(Fields.ANSWERS, answers);
    }
    return bus.request(requestId, Addresses.RAG_SEARCH, body, timeoutMs, heartbeatMs);
  }

  /**
   * A chat turn's search ({@link #retrieve(String, String, String, int, double, String, JsonObject)} in hybrid mode,
   * its {@code top_k} and {@code min_score} the bot's checked settings): answered here, with no passage, not abstained
   * and no match, when this node's knowledge-base component found the bot with no ready document and no stored
   * answer ({@link LocalKnowledge}); else asked. A query the search would refuse is always asked.
   */
  public Future<JsonObject> turnSearch(String requestId, String botId, String query, int topK, double minScore,
      JsonObject answers) {
    if (query != null && !query.isBlank() && query.length() <= MAX_QUERY_CHARS && local.isEmpty(botId)) {
      return Future.succeededFuture(new JsonObject().put(Fields.RESULTS, new JsonArray())
          .put(Fields.NOTHING_FOUND, false).putNull(ANSWER_MATCH));
    }
    return retrieve(requestId, botId, query, topK, minScore, null, answers);
  }

  /**
   * Adds a document; ingestion runs in the background. {@code source} is
   * {@code {bot_id, name, source:"file", mime?, content:<bytes>}}, {@code {bot_id, name, source:"text", text}}
   * or {@code {bot_id, source:"url", url}}. Answers the document, status {@code pending}.
   */
  public Future<JsonObject> add(String requestId, JsonObject source) {
    return bus.request(requestId, Addresses.RAG_DOCUMENT_ADD, source, timeoutMs);
  }

  /**
   * Adds the files of one upload, all or none: {@code files} is {@code [{name, mime?, content:<bytes>}]}. Answers the
   * documents, status {@code pending}, in the files' order.
   */
  public Future<JsonArray> addFiles(String requestId, String botId, JsonArray files) {
    return bus.request(requestId, Addresses.RAG_DOCUMENT_ADD, new JsonObject().put(Fields.BOT_ID, botId)
        .put("source", "files").put("files", files), timeoutMs).map(r -> r.getJsonArray(Fields.DOCUMENTS));
  }

  public Future<JsonArray> list(String requestId, String botId) {
    return bus.request(requestId, Addresses.RAG_DOCUMENT_LIST, new JsonObject().put(Fields.BOT_ID, botId), timeoutMs)
        .map(r -> r.getJsonArray(Fields.DOCUMENTS));
  }

  /**
   * The documents {@code filters} select ({@code status?, q?, updated_since?, limit?, order?, cursor?}; none: all of
   * them, oldest first), how many the bot has in each status and the index status: {@code {documents, next_cursor, counts, as_of,
   * embedding_model, indexed_models, reindex_needed, …}}.
   */
  public Future<JsonObject> documents(String requestId, String botId, JsonObject filters) {
    return bus.request(requestId, Addresses.RAG_DOCUMENT_LIST, filters.copy().put(Fields.BOT_ID, botId), timeoutMs);
  }

  /**
   * The bot's index: {@code {embedding_model, indexed_models, reindex_needed, reindex_documents}}; a re-index
   * is needed when some documents were embedded with another model than the configured one.
   */
  public Future<JsonObject> indexStatus(String requestId, String botId) {
    return bus.request(requestId, Addresses.RAG_INDEX_STATUS, new JsonObject().put(Fields.BOT_ID, botId), timeoutMs);
  }

  /**
   * Re-embeds the bot's documents that were embedded with another model ({@code all}: every document) with
   * the configured one, in the background; answers the index status with {@code queued}.
   */
  public Future<JsonObject> reindex(String requestId, String botId, boolean all) {
    return bus.request(requestId, Addresses.RAG_REINDEX, new JsonObject().put(Fields.BOT_ID, botId).put("all", all), timeoutMs);
  }

  public Future<JsonObject> get(String requestId, String botId, String documentId) {
    return bus.request(requestId, Addresses.RAG_DOCUMENT_GET, document(botId, documentId), timeoutMs);
  }

  public Future<Void> delete(String requestId, String botId, String documentId) {
    return bus.request(requestId, Addresses.RAG_DOCUMENT_DELETE, document(botId, documentId), timeoutMs).mapEmpty();
  }

  public Future<JsonObject> retry(String requestId, String botId, String documentId) {
    return bus.request(requestId, Addresses.RAG_DOCUMENT_RETRY, document(botId, documentId), timeoutMs);
  }

  /** Checks a URL or sitemap document's source again; answers the document (409 for other sources). */
  public Future<JsonObject> sync(String requestId, String botId, String documentId) {
    return bus.request(requestId, Addresses.RAG_DOCUMENT_SYNC, document(botId, documentId), timeoutMs);
  }

  /** The bot's stored answers: {@code {answers:[{id, question, answer, alt_questions, created_at, updated_at}], max_answers}}. */
  public Future<JsonObject> answers(String requestId, String botId) {
    return bus.request(requestId, Addresses.RAG_ANSWER_LIST, new JsonObject().put(Fields.BOT_ID, botId), timeoutMs);
  }

  public Future<JsonObject> answer(String requestId, String botId, String answerId) {
    return bus.request(requestId, Addresses.RAG_ANSWER_GET, answerOf(botId, answerId), timeoutMs);
  }

  /** Stores {@code {question, answer, alt_questions?}}; 422 naming a bad field, 409 {@code quota_exceeded}. */
  public Future<JsonObject> createAnswer(String requestId, String botId, JsonObject answer) {
    return bus.request(requestId, Addresses.RAG_ANSWER_CREATE, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.ANSWER, answer), timeoutMs);
  }

  /** Replaces the answer with {@code {question, answer, alt_questions?}}; 404, 422. */
  public Future<JsonObject> updateAnswer(String requestId, String botId, String answerId, JsonObject answer) {
    return bus.request(requestId, Addresses.RAG_ANSWER_UPDATE, answerOf(botId, answerId).put(Fields.ANSWER, answer),
        timeoutMs);
  }

  public Future<Void> deleteAnswer(String requestId, String botId, String answerId) {
    return bus.request(requestId, Addresses.RAG_ANSWER_DELETE, answerOf(botId, answerId), timeoutMs).mapEmpty();
  }

  /** Imports a CSV of answers, all or nothing: {@code {created, updated, total}}; 413, 409, 422 naming the line. */
  public Future<JsonObject> importAnswers(String requestId, String botId, String csv) {
    return bus.request(requestId, Addresses.RAG_ANSWER_IMPORT, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.CSV, csv), timeoutMs);
  }

  /** The bot's answers as CSV ({@code question,answer,alt_questions}). */
  public Future<String> exportAnswers(String requestId, String botId) {
    return bus.request(requestId, Addresses.RAG_ANSWER_EXPORT, new JsonObject().put(Fields.BOT_ID, botId), timeoutMs)
        .map(r -> r.getString(Fields.CSV));
  }

  /**
   * The stored answer nearest in meaning to the visitor's {@code query} with a cosine of at least {@code threshold}:
   * {@code {id, question, answer, matched_question, score}}, or null when none is that near.
   */
  public Future<JsonObject> matchAnswer(String requestId, String botId, String query, double threshold) {
    return bus.request(requestId, Addresses.RAG_ANSWER_MATCH, new JsonObject().put(Fields.BOT_ID, botId)
        .put(Fields.QUERY, query).put(Fields.THRESHOLD, threshold), timeoutMs)
        .map(r -> r.getJsonObject(Fields.MATCH));
  }

  private static JsonObject answerOf(String botId, String answerId) {
    return new JsonObject().put(Fields.BOT_ID, botId).put(Fields.ANSWER_ID, answerId);
  }

  private static JsonObject document(String botId, String documentId) {
    return new JsonObject().put(Fields.BOT_ID, botId).put(Fields.DOCUMENT_ID, documentId);
  }

  /**
   * Groups {@code texts} by meaning ({@code parley.rag.group}): {@code {model, groups: [[index, …], …]}}, texts whose
   * embeddings are at least {@code threshold} similar to a group's centroid in one group. Embedding up to 1,000
   * texts takes longer than a search: it may take {@value #GROUP_TIMEOUT_MS} ms.
   */
  public Future<JsonObject> group(String requestId, JsonArray texts, double threshold) {
    return bus.request(requestId, Addresses.RAG_GROUP, new JsonObject().put(Fields.TEXTS, texts)
        .put(Fields.THRESHOLD, threshold), Math.max(timeoutMs, GROUP_TIMEOUT_MS), heartbeatMs);
  }

  private static final long GROUP_TIMEOUT_MS = 60_000;
}
