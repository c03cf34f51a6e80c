-- Parley schema v1 (PostgreSQL), the same tables as db/sqlite/V001__init.sql.
-- Times are epoch milliseconds (BIGINT); JSON columns hold text. Ids are compared and sorted
-- byte by byte (COLLATE "C"), as SQLite does, whatever the database's default collation.

CREATE TABLE bots (
  id            TEXT COLLATE "C" PRIMARY KEY,
  name          TEXT NOT NULL,
  config        TEXT NOT NULL,
  api_key_enc   TEXT,
  api_key_hint  TEXT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);

CREATE TABLE conversations (
  id            TEXT COLLATE "C" PRIMARY KEY,
  bot_id        TEXT COLLATE "C" NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  session_id    TEXT COLLATE "C" NOT NULL,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  message_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (bot_id, session_id)
);
CREATE INDEX conversations_bot_updated ON conversations (bot_id, updated_at);

CREATE TABLE messages (
  seq             BIGSERIAL PRIMARY KEY,
  id              TEXT COLLATE "C" NOT NULL UNIQUE,
  conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  bot_id          TEXT COLLATE "C" NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
  content         TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'complete',
  error           TEXT,
  sources         TEXT,
  input_tokens    INTEGER,
  output_tokens   INTEGER,
  cost            DOUBLE PRECISION,
  latency_ms      BIGINT,
  provider        TEXT,
  model           TEXT,
  feedback        TEXT,
  feedback_comment TEXT,
  created_at      BIGINT NOT NULL
);
CREATE INDEX messages_conversation_seq ON messages (conversation_id, seq);
CREATE INDEX messages_bot_created ON messages (bot_id, created_at);
