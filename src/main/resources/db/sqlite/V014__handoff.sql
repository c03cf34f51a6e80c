-- Humans in the conversation (issue 14). A conversation has a state: bot (default), waiting (a person was asked
-- for), human (an agent holds it: assignee_*), closed. state_reason and state_trigger say why it last changed,
-- state_at when; handoff_at is when the open request for a person was made (time to first human reply);
-- no_answer_streak counts the bot's turns in a row whose retrieval found nothing (the no_answer_turns trigger);
-- agent_seq is the seq up to which agents have seen the visitor (the last agent message, or the handoff): later visitor
-- messages are unread.
ALTER TABLE conversations ADD COLUMN state TEXT NOT NULL DEFAULT 'bot';
ALTER TABLE conversations ADD COLUMN assignee_id TEXT;
ALTER TABLE conversations ADD COLUMN assignee_name TEXT;
ALTER TABLE conversations ADD COLUMN state_reason TEXT;
ALTER TABLE conversations ADD COLUMN state_trigger TEXT;
ALTER TABLE conversations ADD COLUMN state_at INTEGER;
ALTER TABLE conversations ADD COLUMN handoff_at INTEGER;
ALTER TABLE conversations ADD COLUMN no_answer_streak INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN agent_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX conversations_state_updated ON conversations (state, updated_at);

-- Messages may now be written by an agent (role agent) or be an internal note (role note, never shown to the
-- visitor), with their author. SQLite cannot change a CHECK constraint in place: the table is rebuilt with its rows
-- and seq values (nothing refers to messages).
CREATE TABLE messages_v14 (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  bot_id          TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'agent', 'note')),
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
  created_at      INTEGER NOT NULL,
  retrieval_error TEXT,
  author_id       TEXT,
  author_name     TEXT
);
INSERT INTO messages_v14 (seq, id, conversation_id, bot_id, role, content, status, error, sources, input_tokens,
  output_tokens, cost, latency_ms, provider, model, feedback, feedback_comment, created_at, retrieval_error)
SELECT seq, id, conversation_id, bot_id, role, content, status, error, sources, input_tokens, output_tokens, cost,
  latency_ms, provider, model, feedback, feedback_comment, created_at, retrieval_error FROM messages;
DROP TABLE messages;
ALTER TABLE messages_v14 RENAME TO messages;
CREATE INDEX messages_conversation_seq ON messages (conversation_id, seq);
CREATE INDEX messages_bot_created ON messages (bot_id, created_at);

-- What a visitor's channel replays (message of an agent, state changes), in order: id only grows.
CREATE TABLE conversation_events (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  bot_id          TEXT NOT NULL,
  session_id      TEXT NOT NULL,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  type            TEXT NOT NULL,
  data            TEXT NOT NULL,
  at              INTEGER NOT NULL
);
CREATE INDEX conversation_events_session ON conversation_events (bot_id, session_id, id);
CREATE INDEX conversation_events_conversation ON conversation_events (conversation_id);
