-- Knowledge bases (PostgreSQL), the same tables as db/sqlite/V002__knowledge.sql.
-- Documents belong to a bot; chunks are the text that is embedded.
-- Vectors live in the embedded Lucene index under the data folder, keyed by document and bot.

CREATE TABLE documents (
  id              TEXT COLLATE "C" PRIMARY KEY,
  bot_id          TEXT COLLATE "C" NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  source          TEXT NOT NULL CHECK (source IN ('file', 'text', 'url', 'sitemap')),
  url             TEXT,
  mime            TEXT,
  size_bytes      BIGINT,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
  error           TEXT,
  chunks_total    INTEGER NOT NULL DEFAULT 0,
  chunks_done     INTEGER NOT NULL DEFAULT 0,
  content_hash    TEXT,
  embedding_model TEXT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX documents_bot_created ON documents (bot_id, created_at);
CREATE INDEX documents_status ON documents (status);

CREATE TABLE chunks (
  id          TEXT COLLATE "C" PRIMARY KEY,
  document_id TEXT COLLATE "C" NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  bot_id      TEXT COLLATE "C" NOT NULL,
  position    INTEGER NOT NULL,
  heading     TEXT,
  content     TEXT NOT NULL,
  UNIQUE (document_id, position)
);
CREATE INDEX chunks_bot ON chunks (bot_id);
