-- The Knowledge tab of a large knowledge base (a crawled site: up to 10,000 documents) reads how many of the bot's
-- documents are in each status, and polls the documents changed since its last read, every second while some are
-- in progress. These indexes answer both without visiting each of the bot's documents' rows.
CREATE INDEX documents_bot_status ON documents (bot_id, status);
CREATE INDEX documents_bot_updated ON documents (bot_id, updated_at);
