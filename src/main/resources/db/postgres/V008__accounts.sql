-- (PostgreSQL) Operators (issue 13): people with a role and an optional bot scope, their invites, sign-in sessions, API tokens,
-- and the failed sign-ins of each email address. Secrets are never stored: invites, sessions and tokens are kept
-- as the SHA-256 of the random value handed out; passwords as Argon2id (PHC string).

CREATE TABLE users (
  id                TEXT COLLATE "C" PRIMARY KEY,
  email             TEXT NOT NULL,
  email_key         TEXT NOT NULL UNIQUE,
  name              TEXT NOT NULL,
  role              TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'agent', 'viewer')),
  bot_ids           TEXT,
  password_hash     TEXT,
  invite_hash       TEXT UNIQUE,
  invite_expires_at BIGINT,
  disabled          INTEGER NOT NULL DEFAULT 0,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL
);

CREATE TABLE user_sessions (
  id_hash      TEXT PRIMARY KEY,
  user_id      TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

CREATE TABLE api_tokens (
  id           TEXT COLLATE "C" PRIMARY KEY,
  user_id      TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  hint         TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT,
  last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_failures (
  email_key TEXT PRIMARY KEY,
  failures  INTEGER NOT NULL,
  first_at  BIGINT NOT NULL
);
