-- Every bot as an API (issue 15, items 6 and 7): per-bot API keys (pk_…), kept as their SHA-256 only, and the
-- channel a conversation came through ('web' for the chat page and widget, 'api' for /v1 and /mcp) with the
-- caller's own name for its end user ('user' of an OpenAI request), when it gave one.

CREATE TABLE bot_api_keys (
  id           TEXT PRIMARY KEY,
  bot_id       TEXT NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  key_hash     TEXT NOT NULL UNIQUE,
  hint         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX bot_api_keys_bot ON bot_api_keys (bot_id);

ALTER TABLE conversations ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';
ALTER TABLE conversations ADD COLUMN api_user TEXT;
