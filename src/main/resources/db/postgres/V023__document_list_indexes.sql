-- The Knowledge tab of a large knowledge base (a crawled site: up to 10,000 documents) reads how many of the bot's
-- documents are in each status, pages through them newest first, and polls the documents changed since its last
-- read, every second while some are in progress. These indexes answer each without visiting or sorting all of the
-- bot's documents' rows. The pages of a sitemap share their created_at, so the order's tie-breaker, the id, is in
-- the index too; it replaces the index of (bot_id, created_at) alone.
CREATE INDEX documents_bot_status ON documents (bot_id, status);
CREATE INDEX documents_bot_updated ON documents (bot_id, updated_at);
CREATE INDEX documents_bot_order ON documents (bot_id, created_at, id);
DROP INDEX documents_bot_created;
