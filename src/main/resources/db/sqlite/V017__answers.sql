-- Answer overrides (issue 16, item 5): a bot's stored answers to questions, owned by the rag component. A visitor's
-- message that means the same as `question` or one of `alt_questions` (a JSON list of strings) gets `answer`.
-- `vectors` caches the embeddings of the question and its alternatives (base64 of little-endian float32s, one
-- vector after another) made with `embedding_model`; NULL (or another model) is embedded again when matched.

CREATE TABLE bot_answers (
  id              TEXT PRIMARY KEY,
  bot_id          TEXT NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  question        TEXT NOT NULL,
  answer          TEXT NOT NULL,
  alt_questions   TEXT NOT NULL DEFAULT '[]',
  vectors         TEXT,
  embedding_model TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX bot_answers_bot ON bot_answers (bot_id, created_at);
