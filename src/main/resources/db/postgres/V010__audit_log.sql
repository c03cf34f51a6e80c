-- The audit log (PostgreSQL), as db/sqlite/V010__audit_log.sql: append-only, enforced by a trigger that refuses
-- every UPDATE and DELETE (TRUNCATE too). id orders the entries; at is epoch milliseconds.

CREATE TABLE audit_log (
  id             BIGSERIAL PRIMARY KEY,
  at             BIGINT NOT NULL,
  actor_kind     TEXT NOT NULL,
  actor_user_id  TEXT COLLATE "C",
  actor_token_id TEXT COLLATE "C",
  actor_email    TEXT,
  actor_role     TEXT,
  actor          TEXT NOT NULL,
  action         TEXT NOT NULL,
  target_type    TEXT,
  target_id      TEXT COLLATE "C",
  bot_id         TEXT COLLATE "C",
  request_id     TEXT,
  client_address TEXT,
  status         INTEGER,
  outcome        TEXT NOT NULL,
  changes        TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target_id);
CREATE INDEX audit_log_bot ON audit_log (bot_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
