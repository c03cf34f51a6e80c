package dev.parley.account;

/** SQL of the account component, as SqlTemplate texts (one text serves SQLite and PostgreSQL). */
final class AccountSql {

  static final String USER_COLUMNS = "id, email, email_key, name, role, bot_ids, password_hash, invite_hash, "
      + "invite_expires_at, disabled, created_at, updated_at";

  static final String COUNT_USERS = "SELECT COUNT(*) AS n FROM users";

  static final String INSERT_USER = "INSERT INTO users (" + USER_COLUMNS + ") VALUES (#{id}, #{email}, #{email_key}, "
      + "#{name}, #{role}, #{bot_ids}, #{password_hash}, #{invite_hash}, #{invite_expires_at}, #{disabled}, "
      + "#{created_at}, #{updated_at})";

  static final String SELECT_EMAIL_KEYS = "SELECT id, email, email_key FROM users";
  static final String UPDATE_EMAIL_KEY = "UPDATE users SET email_key = #{email_key} WHERE id = #{id}";
  static final String SELECT_USERS = "SELECT " + USER_COLUMNS + " FROM users ORDER BY created_at, id";

  static final String SELECT_USER = "SELECT " + USER_COLUMNS + " FROM users WHERE id = #{id}";

  static final String SELECT_USER_BY_EMAIL = "SELECT " + USER_COLUMNS + " FROM users WHERE email_key = #{email_key}";

  static final String SELECT_USER_BY_INVITE = "SELECT " + USER_COLUMNS + " FROM users WHERE invite_hash = #{invite_hash}";

  /** Enabled owners other than {@code id}: the last one may not go. */
  static final String COUNT_OTHER_OWNERS =
      "SELECT COUNT(*) AS n FROM users WHERE role = 'owner' AND disabled = 0 AND id <> #{id}";

  static final String UPDATE_USER = "UPDATE users SET email = #{email}, email_key = #{email_key}, name = #{name}, "
      + "role = #{role}, bot_ids = #{bot_ids}, disabled = #{disabled}, updated_at = #{updated_at} WHERE id = #{id}";

  /**
   * A new invite in place of the earlier one, for a user invited who has not set a password yet and has never been
   * in: no session and no API token (one who came in by single sign-on before it used invites up has one of them).
   */
  static final String RENEW_INVITE = "UPDATE users SET invite_hash = #{invite_hash}, "
      + "invite_expires_at = #{invite_expires_at}, updated_at = #{updated_at} "
      + "WHERE id = #{id} AND password_hash IS NULL AND invite_expires_at IS NOT NULL "
      + "AND NOT EXISTS (SELECT 1 FROM user_sessions s WHERE s.user_id = users.id) "
      + "AND NOT EXISTS (SELECT 1 FROM api_tokens t WHERE t.user_id = users.id)";

  /** Single sign-on let the person in: their invite, if any, is used up (no password can be set through it). */
  static final String USE_UP_INVITE = "UPDATE users SET invite_hash = NULL, invite_expires_at = NULL "
      + "WHERE id = #{id} AND invite_hash IS NOT NULL";

  static final String SET_PASSWORD = "UPDATE users SET password_hash = #{password_hash}, invite_hash = NULL, "
      + "invite_expires_at = NULL, updated_at = #{updated_at} WHERE id = #{id} AND invite_hash = #{invite_hash}";

  static final String DELETE_USER = "DELETE FROM users WHERE id = #{id}";

  static final String INSERT_SESSION = "INSERT INTO user_sessions (id_hash, user_id, created_at, last_seen_at) "
      + "VALUES (#{id_hash}, #{user_id}, #{created_at}, #{last_seen_at})";

  static final String SELECT_SESSION = "SELECT s.created_at AS session_created_at, s.last_seen_at, u.id, u.email, "
      + "u.name, u.role, u.bot_ids, u.disabled, u.created_at, u.updated_at FROM user_sessions s "
      + "JOIN users u ON u.id = s.user_id WHERE s.id_hash = #{id_hash}";

  static final String TOUCH_SESSION = "UPDATE user_sessions SET last_seen_at = #{last_seen_at} WHERE id_hash = #{id_hash}";

  static final String DELETE_SESSION = "DELETE FROM user_sessions WHERE id_hash = #{id_hash}";

  static final String DELETE_SESSIONS_OF = "DELETE FROM user_sessions WHERE user_id = #{user_id}";

  /** Sessions past their idle or absolute expiry, swept now and then. */
  static final String DELETE_EXPIRED_SESSIONS =
      "DELETE FROM user_sessions WHERE last_seen_at < #{idle_before} OR created_at < #{created_before}";

  static final String TOKEN_COLUMNS = "id, user_id, name, token_hash, hint, created_at, expires_at, last_used_at";

  static final String INSERT_TOKEN = "INSERT INTO api_tokens (" + TOKEN_COLUMNS + ") VALUES (#{id}, #{user_id}, "
      + "#{name}, #{token_hash}, #{hint}, #{created_at}, #{expires_at}, #{last_used_at})";

  static final String COUNT_TOKENS_OF = "SELECT COUNT(*) AS n FROM api_tokens WHERE user_id = #{user_id}";

  static final String SELECT_TOKENS_OF =
      "SELECT " + TOKEN_COLUMNS + " FROM api_tokens WHERE user_id = #{user_id} ORDER BY created_at, id";

  static final String SELECT_TOKEN = "SELECT t.id AS token_id, t.expires_at, t.last_used_at, u.id, u.email, u.name, "
      + "u.role, u.bot_ids, u.disabled, u.created_at, u.updated_at FROM api_tokens t JOIN users u ON u.id = t.user_id "
      + "WHERE t.token_hash = #{token_hash}";

  static final String TOUCH_TOKEN = "UPDATE api_tokens SET last_used_at = #{last_used_at} WHERE id = #{id}";

  static final String DELETE_TOKEN = "DELETE FROM api_tokens WHERE id = #{id} AND user_id = #{user_id}";

  static final String DELETE_TOKENS_OF = "DELETE FROM api_tokens WHERE user_id = #{user_id}";

  static final String SELECT_FAILURES = "SELECT failures, first_at FROM login_failures WHERE email_key = #{email_key}";

  static final String INSERT_FAILURE = "INSERT INTO login_failures (email_key, failures, first_at) "
      + "VALUES (#{email_key}, 1, #{now})";

  static final String COUNT_FAILURE = "UPDATE login_failures SET failures = failures + 1 WHERE email_key = #{email_key}";

  static final String RESTART_FAILURES =
      "UPDATE login_failures SET failures = 1, first_at = #{now} WHERE email_key = #{email_key}";

  static final String CLEAR_FAILURES = "DELETE FROM login_failures WHERE email_key = #{email_key}";

  static final String DELETE_OLD_FAILURES = "DELETE FROM login_failures WHERE first_at < #{before}";

  private AccountSql() {
  }

  static final String BOT_KEY_COLUMNS = "id, bot_id, name, key_hash, hint, created_at, last_used_at";

  static final String INSERT_BOT_KEY = "INSERT INTO bot_api_keys (" + BOT_KEY_COLUMNS + ") VALUES (#{id}, #{bot_id}, "
      + "#{name}, #{key_hash}, #{hint}, #{created_at}, #{last_used_at})";

  static final String COUNT_BOT_KEYS_OF = "SELECT COUNT(*) AS n FROM bot_api_keys WHERE bot_id = #{bot_id}";

  static final String SELECT_BOT_KEYS_OF =
      "SELECT " + BOT_KEY_COLUMNS + " FROM bot_api_keys WHERE bot_id = #{bot_id} ORDER BY created_at, id";

  static final String SELECT_BOT_KEY = "SELECT id, bot_id, last_used_at FROM bot_api_keys WHERE key_hash = #{key_hash}";

  static final String TOUCH_BOT_KEY = "UPDATE bot_api_keys SET last_used_at = #{last_used_at} WHERE id = #{id}";

  static final String DELETE_BOT_KEY = "DELETE FROM bot_api_keys WHERE id = #{id} AND bot_id = #{bot_id}";
}
