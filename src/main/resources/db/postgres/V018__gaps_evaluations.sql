-- (PostgreSQL) Knowledge gaps and evaluations (issue 16, items 6 and 7).
-- On a visitor's message, what the turn's knowledge-base search found: top_score, the relevance of its best passage
-- (NULL when it gave none or the bot does not search), and nothing_found = 1 when the search abstained (the bot has
-- documents, none answers the message). Messages stored before this migration have NULL and 0.
ALTER TABLE messages ADD COLUMN top_score DOUBLE PRECISION;
ALTER TABLE messages ADD COLUMN nothing_found INTEGER NOT NULL DEFAULT 0;

-- Evaluation runs of a bot: a list of questions run through the bot's turn (retrieval and provider) in the
-- background. status: running, completed, failed, interrupted (the process stopped while it ran). settings is the
-- bot as it was run (provider, model, prompt hash, top_k, min_score, documents); questions the input; results the
-- per-question rows and summary the measures (JSON text), both set when it ends.
CREATE TABLE evaluations (
  id             TEXT PRIMARY KEY,
  bot_id         TEXT NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  status         TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  finished_at    BIGINT,
  question_count INTEGER NOT NULL,
  done_count     INTEGER NOT NULL DEFAULT 0,
  error          TEXT,
  settings       TEXT NOT NULL,
  questions      TEXT NOT NULL,
  summary        TEXT,
  results        TEXT
);
CREATE INDEX evaluations_bot_created ON evaluations (bot_id, created_at);
-- One running evaluation per bot: a second start is refused (409) by this index.
CREATE UNIQUE INDEX evaluations_one_running ON evaluations (bot_id) WHERE status = 'running';
