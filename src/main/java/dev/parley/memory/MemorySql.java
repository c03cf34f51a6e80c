package dev.parley.memory;

/** SQL of the memory component, as SqlTemplate texts (one text serves SQLite and PostgreSQL). */
final class MemorySql {

  static final String UPSERT_CONVERSATION = "INSERT INTO conversations "
      + "(id, bot_id, session_id, created_at, updated_at, message_count) "
      + "VALUES (#{id}, #{bot_id}, #{session_id}, #{now}, #{now}, #{count}) "
      + "ON CONFLICT (bot_id, session_id) DO UPDATE SET updated_at = excluded.updated_at, "
      + "message_count = conversations.message_count + excluded.message_count";

  /**
   * The conversations of bots {@code #{b0}} … {@code #{b<bots-1>}} whose session is one of
   * {@code #{s0}} … {@code #{s<sessions-1>}} (a superset of the pairs asked for: the caller matches).
   */
  static String conversationIds(int bots, int sessions) {
    return "SELECT id, bot_id, session_id FROM conversations WHERE bot_id IN (" + params("b", bots)
        + ") AND session_id IN (" + params("s", sessions) + ")";
  }

  private static String params(String prefix, int count) {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < count; i++) {
      list.append(i == 0 ? "" : ", ").append("#{").append(prefix).append(i).append('}');
    }
    return list.toString();
  }

  static final String INSERT_MESSAGE = "INSERT INTO messages "
      + "(id, conversation_id, bot_id, role, content, status, error, retrieval_error, sources, input_tokens, output_tokens, "
      + "cost, latency_ms, provider, model, created_at) VALUES "
      + "(#{id}, #{conversation_id}, #{bot_id}, #{role}, #{content}, #{status}, #{error}, #{retrieval_error}, #{sources}, "
      + "#{input_tokens}, #{output_tokens}, #{cost}, #{latency_ms}, #{provider}, #{model}, #{created_at})";

  /** The stored messages of a turn, by the ids it brought. */
  static final String STORED_TURN = "SELECT id, conversation_id, role FROM messages "
      + "WHERE bot_id = #{bot_id} AND (id = #{user} OR id = #{assistant})";

  /**
   * The newest answered messages of a session since its last clear; the caller reverses them into
   * oldest-first order.
   */
  static final String HISTORY = "SELECT m.id, m.role, m.content FROM messages m "
      + "JOIN conversations c ON c.id = m.conversation_id "
      + "WHERE c.bot_id = #{bot_id} AND c.session_id = #{session_id} AND m.seq > c.cleared_seq "
      + "AND m.status = 'complete' AND m.error IS NULL ORDER BY m.seq DESC LIMIT #{limit}";

  static final String MESSAGE_COLUMNS = "m.id, m.role, m.content, m.status, m.error, m.retrieval_error, m.sources, m.input_tokens, "
      + "m.output_tokens, m.cost, m.latency_ms, m.provider, m.model, m.feedback, m.feedback_comment, m.created_at";

  /** The session's messages since its last clear, as its visitor sees them. */
  static final String SESSION_MESSAGES = "SELECT " + MESSAGE_COLUMNS + " FROM messages m "
      + "JOIN conversations c ON c.id = m.conversation_id "
      + "WHERE c.bot_id = #{bot_id} AND c.session_id = #{session_id} AND m.seq > c.cleared_seq "
      + "ORDER BY m.seq LIMIT #{limit}";

  static final String CONVERSATION_MESSAGES = "SELECT " + MESSAGE_COLUMNS + " FROM messages m "
      + "WHERE m.conversation_id = #{conversation_id} AND m.bot_id = #{bot_id} ORDER BY m.seq LIMIT #{limit}";

  /**
   * A visitor's clear: the session's history starts after its newest message. Nothing is deleted
   * (the turns stay in logs, usage and budgets).
   */
  static final String CLEAR_SESSION = "UPDATE conversations SET cleared_at = #{now}, cleared_seq = "
      + "COALESCE((SELECT MAX(m.seq) FROM messages m WHERE m.conversation_id = conversations.id), 0) "
      + "WHERE bot_id = #{bot_id} AND session_id = #{session_id}";

  /** A visitor's rating of an answer of the bot that the visitor still sees (not cleared away). */
  static final String FEEDBACK = "UPDATE messages SET feedback = #{rating}, feedback_comment = #{comment} "
      + "WHERE id = #{message_id} AND bot_id = #{bot_id} AND role = 'assistant' "
      + "AND seq > (SELECT c.cleared_seq FROM conversations c WHERE c.id = messages.conversation_id)";

  static final String CONVERSATIONS = "SELECT c.id, c.session_id, c.created_at, c.updated_at, c.message_count, c.cleared_at, "
      + "(SELECT m.content FROM messages m WHERE m.conversation_id = c.id AND m.role = 'user' ORDER BY m.seq LIMIT 1) "
      + "AS first_message FROM conversations c WHERE c.bot_id = #{bot_id} "
      + "ORDER BY c.updated_at DESC, c.id LIMIT #{limit} OFFSET #{offset}";

  static final String COUNT_CONVERSATIONS = "SELECT COUNT(*) AS total FROM conversations WHERE bot_id = #{bot_id}";

  static final String CONVERSATION = "SELECT id, session_id, created_at, updated_at, message_count, cleared_at "
      + "FROM conversations WHERE id = #{conversation_id} AND bot_id = #{bot_id}";

  /**
   * Usage per UTC day; integer division by a day in milliseconds works the same in both dialects.
   * The casts give both dialects the same column types (PostgreSQL's AVG and SUM of BIGINT are NUMERIC).
   */
  static final String STATS = "SELECT created_at / 86400000 AS day, "
      + "CAST(SUM(CASE WHEN role = 'user' THEN 1 ELSE 0 END) AS BIGINT) AS turns, "
      + "CAST(SUM(COALESCE(input_tokens, 0)) AS BIGINT) AS input_tokens, "
      + "CAST(SUM(COALESCE(output_tokens, 0)) AS BIGINT) AS output_tokens, "
      + "CAST(SUM(COALESCE(cost, 0)) AS DOUBLE PRECISION) AS cost, "
      + "CAST(AVG(latency_ms) AS DOUBLE PRECISION) AS avg_latency_ms, MAX(latency_ms) AS max_latency_ms, "
      + "CAST(SUM(CASE WHEN error IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS errors, "
      + "CAST(SUM(CASE WHEN feedback = 'up' THEN 1 ELSE 0 END) AS BIGINT) AS feedback_up, "
      + "CAST(SUM(CASE WHEN feedback = 'down' THEN 1 ELSE 0 END) AS BIGINT) AS feedback_down "
      + "FROM messages WHERE bot_id = #{bot_id} AND created_at >= #{since} "
      + "GROUP BY created_at / 86400000 ORDER BY day";

  /** A bot's spend since a time, for daily budgets: one range scan of the (bot_id, created_at) index. */
  static final String USAGE = "SELECT CAST(SUM(COALESCE(input_tokens, 0)) AS BIGINT) AS input_tokens, "
      + "CAST(SUM(COALESCE(output_tokens, 0)) AS BIGINT) AS output_tokens, "
      + "CAST(SUM(COALESCE(cost, 0)) AS DOUBLE PRECISION) AS cost "
      + "FROM messages WHERE bot_id = #{bot_id} AND created_at >= #{since}";

  private MemorySql() {
  }
}
