package dev.parley.audit;

/** SQL of the audit log, as SqlTemplate texts (one text serves SQLite and PostgreSQL). No UPDATE, no DELETE. */
final class AuditSql {

  static final String INSERT = "INSERT INTO audit_log (at, actor_kind, actor_user_id, actor_token_id, actor_email, "
      + "actor_role, actor, action, target_type, target_id, bot_id, request_id, client_address, status, outcome, changes) "
      + "VALUES (#{at}, #{actor_kind}, #{actor_user_id}, #{actor_token_id}, #{actor_email}, #{actor_role}, #{actor}, "
      + "#{action}, #{target_type}, #{target_id}, #{bot_id}, #{request_id}, #{client_address}, #{status}, #{outcome}, "
      + "#{changes}) RETURNING id";

  static final String SELECT = "SELECT id, at, actor, action, target_type, target_id, bot_id, request_id, "
      + "client_address, status, outcome, changes FROM audit_log WHERE 1 = 1";

  /** Matches the actor's user id, token id, email (any case) or kind ({@code bootstrap}, {@code anonymous}). */
  static final String BY_ACTOR = " AND (actor_user_id = #{actor_user} OR actor_token_id = #{actor_token}"
      + " OR LOWER(actor_email) = #{actor_email} OR actor_kind = #{actor_kind})";
  static final String BY_ACTION = " AND action = #{action}";
  /** A prefix such as {@code bot.%}; {@code _} is escaped, since it is a LIKE wildcard. */
  static final String BY_ACTION_PREFIX = " AND action LIKE #{action_prefix} ESCAPE '\\'";
  static final String BY_TARGET_TYPE = " AND target_type = #{target_type}";
  static final String BY_TARGET_ID = " AND target_id = #{target_id}";
  static final String BY_BOT = " AND bot_id = #{bot_id}";
  static final String SINCE = " AND at >= #{since}";
  static final String UNTIL = " AND at < #{until}";
  static final String BEFORE = " AND id < #{before}";
  static final String PAGE = " ORDER BY id DESC LIMIT #{limit}";

  private AuditSql() {
  }
}
