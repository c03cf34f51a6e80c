-- The documents deleted in the last minutes, so that a Knowledge tab polling what changed (updated_since) learns of a
-- document deleted elsewhere (by another person, a sitemap sync) and takes its row out. Each delete writes one row and
-- takes out every row older than the time they are kept (DocumentStore.DELETIONS_KEPT_MS); a deleted bot's go with it.
CREATE TABLE document_deletions (
  bot_id      TEXT NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  document_id TEXT NOT NULL,
  deleted_at  INTEGER NOT NULL
);
CREATE INDEX document_deletions_bot_time ON document_deletions (bot_id, deleted_at);
CREATE INDEX document_deletions_time ON document_deletions (deleted_at);
