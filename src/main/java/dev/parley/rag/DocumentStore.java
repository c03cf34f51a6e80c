package dev.parley.rag;

import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Documents and chunks in SQL; rows are mapped to the API's JSON shape here only. */
final class DocumentStore {

  /**
   * How long a deleted document's id is kept for the lists of changes: a Knowledge tab polls every second while
   * documents are in progress and every few seconds otherwise, so ten minutes covers a tab left in the background.
   */
  static final long DELETIONS_KEPT_MS = 10 * 60_000L;

  private final Database database;
  private final SearchLookups lookups;

  DocumentStore(Database database) {
    this(database, () -> { });
  }

  /** {@code changed}: told after any document became ready, failed or was deleted (or is about to). */
  DocumentStore(Database database, Runnable changed) {
    this.database = database;
    this.lookups = new SearchLookups(changed);
  }

  /** A document of any bot became ready or failed on another node (or here): the bots' models are read again. */
  void modelsChanged() {
    lookups.modelsChanged();
  }

  /**
   * Adds the documents in one transaction if the bot's {@code quotas} leave room for them ({@code bytes} in all), else
   * fails with the quota's refusal and adds none. The bot's usage is read under {@link Database#lockFor}, so uploads
   * sent at once cannot pass a quota together.
   */
  Future<Void> insertWithin(Quotas quotas, String botId, List<Map<String, Object>> rows, long bytes) {
    return database.inTransaction(tx -> lockedUsage(tx, botId)
        .compose(usage -> quotas.check(usage[0], usage[1], rows.size(), bytes))
        .compose(fits -> Templates.forUpdate(tx, DocumentSql.INSERT).executeBatch(rows))).mapEmpty();
  }

  /**
   * Adds as many of the documents, in their order, as the bot's {@code quotas} leave room for ({@link Quotas#room}), in
   * one transaction under the same lock as {@link #insertWithin}: how many were added.
   */
  Future<Integer> insertRoom(Quotas quotas, String botId, List<Map<String, Object>> rows) {
    return database.inTransaction(tx -> lockedUsage(tx, botId)
        .compose(usage -> {
          int room = quotas.room(usage[0], usage[1], rows.size());
          return room == 0 ? Future.succeededFuture(0)
              : Templates.forUpdate(tx, DocumentSql.INSERT).executeBatch(rows.subList(0, room)).map(done -> room);
        }));
  }

  /**
   * Records the size of a URL document once it was fetched, if the bot's bytes quota leaves room for it (its earlier
   * size set free), under the same lock as {@link #insertWithin}; else fails with the quota's refusal and leaves the
   * size as it was.
   */
  Future<Void> claimBytes(Quotas quotas, String botId, String id, long size) {
    return database.inTransaction(tx -> lockedUsage(tx, botId)
        .compose(usage -> Templates.forQuery(tx, DocumentSql.SELECT_BY_ID).execute(Map.of("id", id))
            .compose(rows -> {
              Object before = rows.size() == 0 ? null : rows.iterator().next().getValue("size_bytes");
              long held = before == null ? 0 : ((Number) before).longValue();
              return quotas.check(usage[0], usage[1] - held, 0, size);
            }))
        .compose(fits -> Templates.forUpdate(tx, DocumentSql.SET_SIZE).execute(Map.of("id", id, "size_bytes", size))))
        .mapEmpty();
  }

  /** The bot's usage, read under its documents' lock (held until {@code tx} ends). */
  private Future<long[]> lockedUsage(SqlClient tx, String botId) {
    return database.lockFor(tx, "documents:" + botId).compose(locked -> usage(tx, botId));
  }

  Future<JsonObject> get(String botId, String id) {
    return Templates.forQuery(database.pool(), DocumentSql.SELECT_ONE).execute(Map.of("id", id, "bot_id", botId))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(ParleyException.notFound("Document"))
            : Future.succeededFuture(toJson(rows.iterator().next())));
  }

  /** The document, or null when it no longer exists. */
  Future<JsonObject> find(String id) {
    return Templates.forQuery(database.pool(), DocumentSql.SELECT_BY_ID).execute(Map.of("id", id))
        .map(rows -> rows.size() == 0 ? null : toJson(rows.iterator().next()));
  }

  Future<JsonArray> list(String botId) {
    return Templates.forQuery(database.pool(), DocumentSql.SELECT_BOT).execute(Map.of("bot_id", botId))
        .map(DocumentStore::all);
  }

  /** The documents {@code query} selects, in its order: {@code {documents, next_cursor}} (null on the last page). */
  Future<JsonObject> page(String botId, DocumentQuery query) {
    Map<String, Object> params = new HashMap<>();
    String sql = query.sql(botId, database.dialect(), params);
    return Templates.forQuery(database.pool(), sql).execute(params).map(rows -> {
      JsonArray documents = all(rows);
      String next = null;
      if (query.limit() != null && documents.size() > query.limit()) {
        documents.remove(documents.size() - 1);
        next = DocumentQuery.cursorAfter(documents.getJsonObject(documents.size() - 1));
      }
      return new JsonObject().put(Fields.DOCUMENTS, documents).put("next_cursor", next);
    });
  }

  /** How many documents the bot has, in all and in each status: {@code {total, pending, processing, ready, failed}}. */
  Future<JsonObject> counts(String botId) {
    return Templates.forQuery(database.pool(), DocumentSql.COUNT_BY_STATUS).execute(Map.of("bot_id", botId))
        .map(rows -> {
          JsonObject counts = new JsonObject().put("total", 0L);
          DocumentQuery.STATUSES.forEach(status -> counts.put(status, 0L));
          long total = 0;
          for (Row row : rows) {
            long n = row.getLong("n");
            counts.put(row.getString("status"), n);
            total += n;
          }
          return counts.put("total", total);
        });
  }

  /** The bot's number of documents and their total bytes. */
  Future<long[]> usage(String botId) {
    return usage(database.pool(), botId);
  }

  private static Future<long[]> usage(SqlClient client, String botId) {
    return Templates.forQuery(client, DocumentSql.USAGE).execute(Map.of("bot_id", botId))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(rows)
            // no row: counted, never taken for none (a quota with no usage would not hold)
            : Templates.forQuery(client, DocumentSql.USAGE_COUNTED).execute(Map.of("bot_id", botId)))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new long[] {row.getLong("n"), row.getLong("bytes")};
        });
  }

  /** Whether any bot of this database has a document or a stored answer ({@link ModelPreload}). */
  Future<Boolean> hasKnowledge() {
    return Templates.forQuery(database.pool(), DocumentSql.ANY_KNOWLEDGE).execute(Map.of())
        .map(rows -> rows.iterator().next().getLong("n") > 0);
  }

  Future<JsonArray> children(String parentId) {
    return Templates.forQuery(database.pool(), DocumentSql.SELECT_CHILDREN).execute(Map.of("parent_id", parentId))
        .map(DocumentStore::all);
  }

  Future<JsonArray> syncable() {
    return Templates.forQuery(database.pool(), DocumentSql.SELECT_SYNCABLE).execute(Map.of())
        .map(DocumentStore::all);
  }

  /** Marks a URL document as a sitemap whose pages are its children, ready. */
  Future<Void> sitemap(String id, long size, String hash) {
    lookups.modelsChanged();
    return Templates.forUpdate(database.pool(), DocumentSql.SET_SITEMAP).execute(Map.of("id", id,
        "size_bytes", size, "content_hash", hash, "synced_at", System.currentTimeMillis()))
        .<Void>mapEmpty().onComplete(done -> lookups.modelsChanged());
  }

  /** Records that the document's source was checked now. */
  Future<Void> synced(String id) {
    return Templates.forUpdate(database.pool(), DocumentSql.SET_SYNCED)
        .execute(Map.of("id", id, "synced_at", System.currentTimeMillis())).mapEmpty();
  }

  Future<JsonArray> unfinished() {
    return Templates.forQuery(database.pool(), DocumentSql.SELECT_UNFINISHED).execute(Map.of())
        .map(DocumentStore::all);
  }

  Future<Void> status(String id, String status, String error) {
    Map<String, Object> p = new HashMap<>();
    p.put("id", id);
    p.put("status", status);
    p.put("error", error);
    p.put("updated_at", System.currentTimeMillis());
    return Templates.forUpdate(database.pool(), DocumentSql.SET_STATUS).execute(p).mapEmpty();
  }

  /**
   * A document to mark ready: its vectors (all in the index now) built with {@code model}; {@code synced}: its URL
   * was read now.
   */
  record Ready(String id, String model, boolean synced) {
  }

  /** Marks the documents ready, all in one transaction (one statement for one document). */
  Future<Void> ready(List<Ready> documents) {
    long now = System.currentTimeMillis();
    List<Map<String, Object>> rows = new ArrayList<>(documents.size());
    for (Ready doc : documents) {
      Map<String, Object> row = new HashMap<>();
      row.put("id", doc.id());
      row.put("embedding_model", doc.model());
      row.put("synced_at", doc.synced() ? now : null);
      row.put("updated_at", now);
      rows.add(row);
    }
    lookups.modelsChanged();
    Future<?> written = rows.size() == 1
        ? Templates.forUpdate(database.pool(), DocumentSql.SET_READY).execute(rows.get(0))
        : database.inTransaction(tx -> Templates.forUpdate(tx, DocumentSql.SET_READY).executeBatch(rows));
    return written.<Void>mapEmpty().onComplete(done -> lookups.modelsChanged());
  }

  /** Failed for {@code reason}, its vectors gone. */
  Future<Void> failed(String id, String reason) {
    lookups.modelsChanged();
    return Templates.forUpdate(database.pool(), DocumentSql.SET_FAILED)
        .execute(Map.of("id", id, "error", reason, "updated_at", System.currentTimeMillis()))
        .<Void>mapEmpty().onComplete(done -> lookups.modelsChanged());
  }

  /**
   * The models the bot's vectors were built with → how many documents each, in name order; kept in memory until a
   * document becomes ready, fails or is deleted ({@link SearchLookups}).
   */
  Future<Map<String, Integer>> models(String botId) {
    return lookups.models(botId, () -> readModels(botId));
  }

  /**
   * The page URL of each of the documents (null for files and texts; documents that no longer exist are left
   * out): from memory, the others in one query.
   */
  Future<Map<String, String>> urls(Collection<String> ids) {
    Map<String, Optional<String>> known = lookups.urls(ids);
    List<String> missing = ids.stream().filter(id -> !known.containsKey(id)).distinct().toList();
    Map<String, String> urls = new HashMap<>();
    known.forEach((id, url) -> urls.put(id, url.orElse(null)));
    if (missing.isEmpty()) {
      return Future.succeededFuture(urls);
    }
    Map<String, Object> params = new HashMap<>();
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < missing.size(); i++) {
      in.append(i == 0 ? "" : ", ").append("#{id").append(i).append('}');
      params.put("id" + i, missing.get(i));
    }
    return Templates.forQuery(database.pool(), DocumentSql.SELECT_URLS + "(" + in + ")").execute(params)
        .map(rows -> {
          for (Row row : rows) {
            String id = row.getString("id");
            String url = row.getString("url");
            lookups.url(id, url);
            urls.put(id, url);
          }
          return urls;
        });
  }

  private Future<Map<String, Integer>> readModels(String botId) {
    return Templates.forQuery(database.pool(), DocumentSql.SELECT_MODELS).execute(Map.of("bot_id", botId))
        .map(rows -> {
          Map<String, Integer> models = new java.util.LinkedHashMap<>();
          for (Row row : rows) {
            models.put(row.getString("embedding_model"), ((Number) row.getValue("documents")).intValue());
          }
          return models;
        });
  }

  /** The document's chunks as stored, in order. */
  Future<List<Chunker.Chunk>> chunks(String id) {
    return Templates.forQuery(database.pool(), DocumentSql.SELECT_CHUNKS).execute(Map.of("document_id", id))
        .map(rows -> {
          List<Chunker.Chunk> chunks = new ArrayList<>();
          for (Row row : rows) {
            String heading = row.getString("heading");
            chunks.add(new Chunker.Chunk(((Number) row.getValue("position")).intValue(), heading == null ? "" : heading,
                row.getString("content")));
          }
          return chunks;
        });
  }

  Future<Void> progress(String id, int done) {
    return Templates.forUpdate(database.pool(), DocumentSql.SET_PROGRESS)
        .execute(Map.of("id", id, "chunks_done", done, "updated_at", System.currentTimeMillis())).mapEmpty();
  }

  Future<Boolean> reset(String id) {
    return Templates.forUpdate(database.pool(), DocumentSql.RESET)
        .execute(Map.of("id", id, "updated_at", System.currentTimeMillis())).map(r -> r.rowCount() > 0);
  }

  /**
   * Deletes the document's row, and records its deletion for {@link #deletedSince} in the same transaction (taking out
   * every record older than {@link #DELETIONS_KEPT_MS}). False when there was no such document, or its bot was being
   * deleted at the same time (PostgreSQL then refuses the record: the bot's deletion takes the document anyway).
   */
  Future<Boolean> delete(String id) {
    lookups.deleted(id);
    return database.inTransaction(tx -> {
          long now = System.currentTimeMillis(); // in the transaction: a delete that waited for its turn is not older
          return Templates.forUpdate(tx, DocumentSql.PRUNE_DELETIONS).execute(Map.of("before", now - DELETIONS_KEPT_MS))
              .compose(pruned -> Templates.forUpdate(tx, DocumentSql.RECORD_DELETION)
                  .execute(Map.of("id", id, "deleted_at", now)))
              .compose(recorded -> Templates.forUpdate(tx, DocumentSql.DELETE).execute(Map.of("id", id)));
        })
        .map(r -> r.rowCount() > 0)
        .recover(failure -> Database.isForeignKeyViolation(failure) ? Future.succeededFuture(false)
            : Future.failedFuture(failure))
        .onComplete(done -> lookups.deleted(id));
  }

  /**
   * The ids of the bot's documents deleted at or after {@code since}, oldest first; null when that is further back than
   * deletions are kept or there are more than {@code limit}, so that whoever asked reads the list again instead.
   */
  Future<List<String>> deletedSince(String botId, long since, int limit) {
    if (since < System.currentTimeMillis() - DELETIONS_KEPT_MS) {
      return Future.succeededFuture(null);
    }
    return Templates.forQuery(database.pool(), DocumentSql.SELECT_DELETED)
        .execute(Map.of("bot_id", botId, "since", since, "limit", limit + 1))
        .map(rows -> {
          List<String> ids = new ArrayList<>();
          rows.forEach(row -> ids.add(row.getString("document_id")));
          return ids.size() > limit ? null : ids;
        });
  }

  /** A document's chunks and what extraction found ({@code name, mime, size_bytes, content_hash}). */
  record Chunks(String id, String botId, Map<String, Object> extracted, List<Chunker.Chunk> chunks) {
  }

  /**
   * Replaces each document's chunks and records what extraction found, all in one transaction; the documents are
   * processing from then on.
   */
  Future<Void> saveChunks(List<Chunks> documents) {
    long now = System.currentTimeMillis();
    List<Map<String, Object>> deletes = new ArrayList<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    List<Map<String, Object>> updates = new ArrayList<>();
    for (Chunks doc : documents) {
      deletes.add(Map.of("document_id", doc.id()));
      for (Chunker.Chunk c : doc.chunks()) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", doc.id() + ":" + c.position());
        row.put("document_id", doc.id());
        row.put("bot_id", doc.botId());
        row.put("position", c.position());
        row.put("heading", c.heading());
        row.put("content", c.text());
        rows.add(row);
      }
      Map<String, Object> update = new HashMap<>(doc.extracted());
      update.put("id", doc.id());
      update.put("chunks_total", doc.chunks().size());
      update.put("updated_at", now);
      updates.add(update);
    }
    return database.inTransaction(tx -> Templates.forUpdate(tx, DocumentSql.DELETE_CHUNKS).executeBatch(deletes)
        .compose(v -> rows.isEmpty() ? Future.succeededFuture()
            : Templates.forUpdate(tx, DocumentSql.INSERT_CHUNK).executeBatch(rows))
        .compose(v -> Templates.forUpdate(tx, DocumentSql.SET_EXTRACTED).executeBatch(updates))
        .mapEmpty());
  }

  private static JsonArray all(RowSet<Row> rows) {
    JsonArray out = new JsonArray();
    for (Row row : rows) {
      out.add(toJson(row));
    }
    return out;
  }

  private static JsonObject toJson(Row row) {
    return toJson(row.toJson().getMap());
  }

  static JsonObject toJson(Map<String, Object> row) {
    int total = number(row.get("chunks_total"));
    int done = number(row.get("chunks_done"));
    String status = (String) row.get("status");
    return new JsonObject()
        .put("id", row.get("id"))
        .put("bot_id", row.get("bot_id"))
        .put("name", row.get("name"))
        .put("source", row.get("source"))
        .put("url", row.get("url"))
        .put("mime", row.get("mime"))
        .put("size_bytes", row.get("size_bytes") == null ? null : ((Number) row.get("size_bytes")).longValue())
        .put("status", status)
        .put("error", row.get("error"))
        .put("chunks_total", total)
        .put("chunks_done", done)
        .put("progress", "ready".equals(status) ? 1.0 : total == 0 ? 0.0 : Math.min(1.0, (double) done / total))
        .put("content_hash", row.get("content_hash"))
        .put("embedding_model", row.get("embedding_model"))
        .put("created_at", ((Number) row.get("created_at")).longValue())
        .put("updated_at", ((Number) row.get("updated_at")).longValue())
        .put("parent_id", row.get("parent_id"))
        .put("synced_at", row.get("synced_at") == null ? null : ((Number) row.get("synced_at")).longValue());
  }

  private static int number(Object value) {
    return value == null ? 0 : ((Number) value).intValue();
  }
}
