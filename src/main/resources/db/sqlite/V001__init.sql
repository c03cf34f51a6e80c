-- Parley schema v1 (SQLite). Times are epoch milliseconds; JSON columns hold text.

CREATE TABLE bots (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  config        TEXT NOT NULL,
  api_key_enc   TEXT,
  api_key_hint  TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE conversations (
  id            TEXT PRIMARY KEY,
  bot_id        TEXT NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  session_id    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  message_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (bot_id, session_id)
);
CREATE INDEX conversations_bot_updated ON conversations (bot_id, updated_at);

CREATE TABLE messages (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  bot_id          TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  content         TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'complete',
  error           TEXT,
  sources         TEXT,
  input_tokens    INTEGER,
  output_tokens   INTEGER,
  cost            REAL,
  latency_ms      INTEGER,
  provider        TEXT,
  model           TEXT,
  feedback        TEXT,
  feedback_comment TEXT,
  created_at      INTEGER NOT NULL
);
CREATE INDEX messages_conversation_seq ON messages (conversation_id, seq);
CREATE INDEX messages_bot_created ON messages (bot_id, created_at);
