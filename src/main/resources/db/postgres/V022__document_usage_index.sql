-- A bot's quota usage (the count and total size_bytes of its documents) is read twice per upload, once before the
-- originals are stored and once in the insert's transaction. With both columns in one index the read no longer
-- visits each of the bot's documents' rows (a bot may hold 10,000).
CREATE INDEX documents_bot_size ON documents (bot_id, size_bytes);
