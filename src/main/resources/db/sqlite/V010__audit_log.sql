-- The audit log: one row per write through the admin API (and per sign-in, failed sign-in, export…), who made it,
-- on what, and the fields it changed with secrets redacted. Append-only: no route, bus address or job updates or
-- deletes a row, and these triggers refuse it in the database itself. id orders the entries (newest = highest);
-- at is epoch milliseconds. actor holds the whole actor as JSON, its columns are there to filter on. No foreign
-- keys: an entry outlives the bot, user or token it names.

CREATE TABLE audit_log (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  at             INTEGER NOT NULL,
  actor_kind     TEXT NOT NULL,
  actor_user_id  TEXT,
  actor_token_id TEXT,
  actor_email    TEXT,
  actor_role     TEXT,
  actor          TEXT NOT NULL,
  action         TEXT NOT NULL,
  target_type    TEXT,
  target_id      TEXT,
  bot_id         TEXT,
  request_id     TEXT,
  client_address TEXT,
  status         INTEGER,
  outcome        TEXT NOT NULL,
  changes        TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target_id);
CREATE INDEX audit_log_bot ON audit_log (bot_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
