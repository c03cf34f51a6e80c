-- Usage per bot and UTC day, kept apart from the messages so that deleting conversations (retention, erasure on
-- request) leaves the numbers: stats and daily budgets read this table. Each stored turn adds its messages here in
-- the same transaction; a visitor's rating moves one count between feedback_up and feedback_down. day is
-- created_at / 86400000 of the message counted; latency is kept as a sum and a count so the average stays exact.

CREATE TABLE usage_daily (
  bot_id         TEXT COLLATE "C" NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  day            BIGINT NOT NULL,
  turns          BIGINT NOT NULL DEFAULT 0,
  input_tokens   BIGINT NOT NULL DEFAULT 0,
  output_tokens  BIGINT NOT NULL DEFAULT 0,
  cost           DOUBLE PRECISION NOT NULL DEFAULT 0,
  latency_sum    BIGINT NOT NULL DEFAULT 0,
  latency_count  BIGINT NOT NULL DEFAULT 0,
  max_latency_ms BIGINT,
  errors         BIGINT NOT NULL DEFAULT 0,
  feedback_up    BIGINT NOT NULL DEFAULT 0,
  feedback_down  BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (bot_id, day)
);

INSERT INTO usage_daily (bot_id, day, turns, input_tokens, output_tokens, cost, latency_sum, latency_count,
    max_latency_ms, errors, feedback_up, feedback_down)
SELECT bot_id, created_at / 86400000,
  SUM(CASE WHEN role = 'user' THEN 1 ELSE 0 END),
  SUM(COALESCE(input_tokens, 0)),
  SUM(COALESCE(output_tokens, 0)),
  SUM(COALESCE(cost, 0)),
  SUM(COALESCE(latency_ms, 0)),
  SUM(CASE WHEN latency_ms IS NULL THEN 0 ELSE 1 END),
  MAX(latency_ms),
  SUM(CASE WHEN error IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN feedback = 'up' THEN 1 ELSE 0 END),
  SUM(CASE WHEN feedback = 'down' THEN 1 ELSE 0 END)
FROM messages WHERE bot_id IN (SELECT id FROM bots)
GROUP BY bot_id, created_at / 86400000;
