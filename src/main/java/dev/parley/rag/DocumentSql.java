package dev.parley.rag;

/** SQL of the knowledge-base component, as SqlTemplate texts (one text serves SQLite and PostgreSQL). */
final class DocumentSql {

  static final String COLUMNS = "id, bot_id, name, source, url, mime, size_bytes, status, error, chunks_total, "
      + "chunks_done, content_hash, embedding_model, created_at, updated_at, parent_id, synced_at";

  static final String INSERT = "INSERT INTO documents (" + COLUMNS + ") VALUES (#{id}, #{bot_id}, #{name}, #{source}, "
      + "#{url}, #{mime}, #{size_bytes}, #{status}, #{error}, #{chunks_total}, #{chunks_done}, #{content_hash}, "
      + "#{embedding_model}, #{created_at}, #{updated_at}, #{parent_id}, #{synced_at})";

  static final String SELECT_ONE = "SELECT " + COLUMNS + " FROM documents WHERE id = #{id} AND bot_id = #{bot_id}";

  /** Followed by the parenthesised list of ids. */
  static final String SELECT_URLS = "SELECT id, url FROM documents WHERE id IN ";

  static final String SELECT_BY_ID = "SELECT " + COLUMNS + " FROM documents WHERE id = #{id}";

  static final String SELECT_BOT = "SELECT " + COLUMNS + " FROM documents WHERE bot_id = #{bot_id} "
      + "ORDER BY created_at, id";

  static final String SELECT_UNFINISHED = "SELECT " + COLUMNS + " FROM documents "
      + "WHERE status IN ('pending', 'processing') ORDER BY created_at, id";

  static final String SELECT_CHILDREN = "SELECT " + COLUMNS + " FROM documents WHERE parent_id = #{parent_id} "
      + "ORDER BY created_at, id";

  /** Top-level URL and sitemap documents that are not being processed: what a scheduled sync looks at. */
  static final String SELECT_SYNCABLE = "SELECT " + COLUMNS + " FROM documents WHERE parent_id IS NULL "
      + "AND source IN ('url', 'sitemap') AND status IN ('ready', 'failed') ORDER BY bot_id, created_at, id";

  static final String SET_SITEMAP = "UPDATE documents SET source = 'sitemap', mime = 'application/xml', "
      + "size_bytes = #{size_bytes}, content_hash = #{content_hash}, chunks_total = 0, chunks_done = 0, "
      + "status = 'ready', error = NULL, embedding_model = NULL, synced_at = #{synced_at}, updated_at = #{synced_at} "
      + "WHERE id = #{id}";

  static final String SET_SYNCED = "UPDATE documents SET synced_at = #{synced_at} WHERE id = #{id}";

  /** 1 or more when any bot has a document or a stored answer (what needs the embedding model), else 0. */
  static final String ANY_KNOWLEDGE = "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM documents LIMIT 1) d) "
      + "+ (SELECT COUNT(*) FROM (SELECT 1 FROM bot_answers LIMIT 1) a) AS n";

  /** What a bot's documents take, for its quotas: how many, and their bytes (kept by triggers, migration V025). */
  static final String USAGE = "SELECT documents AS n, bytes FROM bot_document_usage WHERE bot_id = #{bot_id}";

  /** The same, counted from the bot's documents: for a bot without a usage row (none is made without one). */
  static final String USAGE_COUNTED = "SELECT COUNT(*) AS n, COALESCE(SUM(size_bytes), 0) AS bytes FROM documents "
      + "WHERE bot_id = #{bot_id}";

  static final String COUNT_BY_STATUS = "SELECT status, COUNT(*) AS n FROM documents WHERE bot_id = #{bot_id} "
      + "GROUP BY status";

  static final String COUNT_READY = "SELECT COUNT(*) AS n FROM documents WHERE bot_id = #{bot_id} AND status = 'ready'";

  static final String SET_STATUS = "UPDATE documents SET status = #{status}, error = #{error}, updated_at = #{updated_at} "
      + "WHERE id = #{id}";

  /** What extraction found, written with the chunks; the document is processing from then on. */
  static final String SET_SIZE = "UPDATE documents SET size_bytes = #{size_bytes} WHERE id = #{id}";

  static final String SET_EXTRACTED = "UPDATE documents SET name = #{name}, mime = #{mime}, size_bytes = #{size_bytes}, "
      + "content_hash = #{content_hash}, chunks_total = #{chunks_total}, chunks_done = 0, status = 'processing', "
      + "error = NULL, updated_at = #{updated_at} WHERE id = #{id}";

  /**
   * Ready, its vectors built with {@code embedding_model}: the column always names the model of the vectors in the
   * index. {@code synced_at} (null: unchanged) records that a URL document's source was checked.
   */
  static final String SET_READY = "UPDATE documents SET status = 'ready', error = NULL, chunks_done = chunks_total, "
      + "embedding_model = #{embedding_model}, synced_at = COALESCE(#{synced_at}, synced_at), "
      + "updated_at = #{updated_at} WHERE id = #{id}";

  /** Failed with its vectors removed: no model any more. */
  static final String SET_FAILED = "UPDATE documents SET status = 'failed', error = #{error}, embedding_model = NULL, "
      + "updated_at = #{updated_at} WHERE id = #{id}";

  /** The models a bot's vectors were built with, and how many documents each. */
  static final String SELECT_MODELS = "SELECT embedding_model, COUNT(*) AS documents FROM documents "
      + "WHERE bot_id = #{bot_id} AND embedding_model IS NOT NULL GROUP BY embedding_model ORDER BY embedding_model";

  static final String SELECT_CHUNKS = "SELECT position, heading, content FROM chunks WHERE document_id = #{document_id} "
      + "ORDER BY position";

  static final String SET_PROGRESS = "UPDATE documents SET chunks_done = #{chunks_done}, updated_at = #{updated_at} "
      + "WHERE id = #{id}";

  static final String RESET = "UPDATE documents SET status = 'pending', error = NULL, chunks_done = 0, "
      + "updated_at = #{updated_at} WHERE id = #{id}";

  static final String DELETE = "DELETE FROM documents WHERE id = #{id}";

  /** A deleted document's id kept a while for the lists of changes ({@link DocumentStore#deletedSince}). */
  static final String RECORD_DELETION = "INSERT INTO document_deletions (bot_id, document_id, deleted_at) "
      + "SELECT bot_id, id, #{deleted_at} FROM documents WHERE id = #{id}";

  /** The deletions kept past their time, of every bot. */
  static final String PRUNE_DELETIONS = "DELETE FROM document_deletions WHERE deleted_at < #{before}";

  static final String SELECT_DELETED = "SELECT document_id FROM document_deletions WHERE bot_id = #{bot_id} "
      + "AND deleted_at >= #{since} ORDER BY deleted_at LIMIT #{limit}";

  static final String DELETE_CHUNKS = "DELETE FROM chunks WHERE document_id = #{document_id}";

  static final String INSERT_CHUNK = "INSERT INTO chunks (id, document_id, bot_id, position, heading, content) "
      + "VALUES (#{id}, #{document_id}, #{bot_id}, #{position}, #{heading}, #{content})";

  private DocumentSql() {
  }
}
