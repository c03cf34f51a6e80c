-- A visitor who clears a session only detaches its history from the visitor: the messages stay
-- (logs, usage, budgets, stats). The session's history and its public view start after cleared_seq,
-- the newest message seq at the last clear; cleared_at is when that was (NULL: never cleared).

ALTER TABLE conversations ADD COLUMN cleared_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN cleared_at BIGINT;
