-- URL documents and sitemaps: a sitemap document is the parent of one document per page
-- (deleted with it), and every URL document records when it was last checked for changes.

ALTER TABLE documents ADD COLUMN parent_id TEXT REFERENCES documents(id) ON DELETE CASCADE;
ALTER TABLE documents ADD COLUMN synced_at INTEGER;
CREATE INDEX documents_parent ON documents (parent_id);
