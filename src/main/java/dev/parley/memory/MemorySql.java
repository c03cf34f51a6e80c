package dev.parley.memory;

/** SQL of the memory component, as SqlTemplate texts (one text serves SQLite and PostgreSQL). */
final class MemorySql {

  static final String UPSERT_CONVERSATION = "INSERT INTO conversations "
      + "(id, bot_id, session_id, created_at, updated_at, message_count, channel, api_user) "
      + "VALUES (#{id}, #{bot_id}, #{session_id}, #{now}, #{now}, #{count}, #{channel}, #{api_user}) "
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

  static String params(String prefix, int count) {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < count; i++) {
      list.append(i == 0 ? "" : ", ").append("#{").append(prefix).append(i).append('}');
    }
    return list.toString();
  }

  static final String INSERT_MESSAGE = "INSERT INTO messages "
      + "(id, conversation_id, bot_id, role, content, status, error, retrieval_error, sources, input_tokens, output_tokens, "
      + "cost, latency_ms, provider, model, created_at, tool_calls, top_score, nothing_found) VALUES "
      + "(#{id}, #{conversation_id}, #{bot_id}, #{role}, #{content}, #{status}, #{error}, #{retrieval_error}, #{sources}, "
      + "#{input_tokens}, #{output_tokens}, #{cost}, #{latency_ms}, #{provider}, #{model}, #{created_at}, #{tool_calls}, "
      + "#{top_score}, #{nothing_found})";

  /** The stored messages of a turn, by the ids it brought. */
  static final String STORED_TURN = "SELECT id, conversation_id, role FROM messages "
      + "WHERE bot_id = #{bot_id} AND (id = #{user} OR id = #{assistant})";

  /**
   * The newest answered messages of a session since its last clear; the caller reverses them into
   * oldest-first order.
   */
  static final String HISTORY = "SELECT m.id, CASE WHEN m.role = 'agent' THEN 'assistant' ELSE m.role END AS role, "
      + "m.content FROM messages m "
      + "JOIN conversations c ON c.id = m.conversation_id "
      + "WHERE c.bot_id = #{bot_id} AND c.session_id = #{session_id} AND m.seq > c.cleared_seq "
      + "AND m.status = 'complete' AND m.error IS NULL AND m.role <> 'note' ORDER BY m.seq DESC LIMIT #{limit}";

  static final String MESSAGE_COLUMNS = "m.id, m.role, m.content, m.status, m.error, m.retrieval_error, m.sources, m.input_tokens, "
      + "m.output_tokens, m.cost, m.latency_ms, m.provider, m.model, m.feedback, m.feedback_comment, m.created_at, "
      + "m.author_id, m.author_name";

  /** The session's messages since its last clear, as its visitor sees them (no internal notes). */
  static final String SESSION_MESSAGES = "SELECT " + MESSAGE_COLUMNS + " FROM messages m "
      + "JOIN conversations c ON c.id = m.conversation_id "
      + "WHERE c.bot_id = #{bot_id} AND c.session_id = #{session_id} AND m.seq > c.cleared_seq AND m.role <> 'note' "
      + "ORDER BY m.seq LIMIT #{limit}";

  /** The conversation log (admin): with the tool calls of each turn, which its visitor never sees. */
  static final String CONVERSATION_MESSAGES = "SELECT " + MESSAGE_COLUMNS + ", m.tool_calls FROM messages m "
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

  static final String SESSION_OF_MESSAGE = "SELECT c.session_id FROM messages m JOIN conversations c ON c.id = m.conversation_id "
      + "WHERE m.id = #{message_id} AND m.bot_id = #{bot_id}";

  static final String CONVERSATIONS = "SELECT c.id, c.session_id, c.created_at, c.updated_at, c.message_count, c.cleared_at, "
      + "c.state, c.assignee_name, c.channel, c.api_user, "
      + "(SELECT m.content FROM messages m WHERE m.conversation_id = c.id AND m.role = 'user' ORDER BY m.seq LIMIT 1) "
      + "AS first_message FROM conversations c WHERE c.bot_id = #{bot_id} "
      + "ORDER BY c.updated_at DESC, c.id LIMIT #{limit} OFFSET #{offset}";

  static final String COUNT_CONVERSATIONS = "SELECT COUNT(*) AS total FROM conversations WHERE bot_id = #{bot_id}";

  static final String CONVERSATION = "SELECT id, session_id, created_at, updated_at, message_count, cleared_at, state, "
      + "assignee_id, assignee_name, state_reason, state_trigger, state_at, follow_up_name, follow_up_email "
      + "FROM conversations WHERE id = #{conversation_id} AND bot_id = #{bot_id}";

  /** Adds a stored turn's messages to the usage of their bot and UTC day ({@code usage_daily}, V011). */
  static final String ADD_USAGE = "INSERT INTO usage_daily (bot_id, day, turns, input_tokens, output_tokens, cost, "
      + "latency_sum, latency_count, max_latency_ms, errors, feedback_up, feedback_down) VALUES (#{bot_id}, #{day}, "
      + "#{turns}, #{input_tokens}, #{output_tokens}, #{cost}, #{latency_sum}, #{latency_count}, #{max_latency_ms}, "
      + "#{errors}, 0, 0) ON CONFLICT (bot_id, day) DO UPDATE SET turns = usage_daily.turns + excluded.turns, "
      + "input_tokens = usage_daily.input_tokens + excluded.input_tokens, "
      + "output_tokens = usage_daily.output_tokens + excluded.output_tokens, cost = usage_daily.cost + excluded.cost, "
      + "latency_sum = usage_daily.latency_sum + excluded.latency_sum, "
      + "latency_count = usage_daily.latency_count + excluded.latency_count, "
      + "max_latency_ms = CASE WHEN usage_daily.max_latency_ms IS NULL OR excluded.max_latency_ms > usage_daily.max_latency_ms "
      + "THEN excluded.max_latency_ms ELSE usage_daily.max_latency_ms END, errors = usage_daily.errors + excluded.errors";

  /** The rating an answer has before a visitor's new one, and its day; a no-op write first locks the row (PostgreSQL). */
  static final String LOCK_RATED = "UPDATE messages SET feedback = feedback WHERE id = #{message_id} AND bot_id = #{bot_id}";
  static final String RATED = "SELECT feedback, created_at FROM messages WHERE id = #{message_id} AND bot_id = #{bot_id}";

  /** Moves a rating's count in the usage of its answer's day ({@code #{up}}, {@code #{down}}: -1, 0 or 1). */
  static final String MOVE_FEEDBACK = "UPDATE usage_daily SET feedback_up = feedback_up + #{up}, "
      + "feedback_down = feedback_down + #{down} WHERE bot_id = #{bot_id} AND day = #{day}";

  /**
   * Usage per UTC day, from {@code usage_daily} (so deleted conversations still count). The casts give both
   * dialects the same column types.
   */
  static final String STATS = "SELECT day, turns, input_tokens, output_tokens, cost, "
      + "CASE WHEN latency_count > 0 THEN CAST(latency_sum AS DOUBLE PRECISION) / latency_count END AS avg_latency_ms, "
      + "max_latency_ms, errors, feedback_up, feedback_down, handoffs_visitor, handoffs_keywords, handoffs_no_answer_turns, "
      + "handoffs_negative_feedback, handoffs_tool, first_replies, first_reply_ms_sum "
      + "FROM usage_daily WHERE bot_id = #{bot_id} AND day >= #{since_day} ORDER BY day";

  /** A bot's conversations per state now, for its usage page. */
  static final String STATES_OF_BOT = "SELECT state, COUNT(*) AS conversations FROM conversations WHERE bot_id = #{bot_id} "
      + "GROUP BY state";

  /** A bot's spend since a UTC day, for daily budgets. */
  static final String USAGE = "SELECT CAST(SUM(input_tokens) AS BIGINT) AS input_tokens, "
      + "CAST(SUM(output_tokens) AS BIGINT) AS output_tokens, CAST(SUM(cost) AS DOUBLE PRECISION) AS cost "
      + "FROM usage_daily WHERE bot_id = #{bot_id} AND day >= #{since_day}";

  /**
   * One page of an export: the bot's conversations active in [since, until) after the keyset
   * ({@code #{after_at}}, {@code #{after_id}}) in the order they started.
   */
  static final String EXPORT_CONVERSATIONS = "SELECT id, session_id, created_at, updated_at, message_count, state, "
      + "assignee_name, state_reason "
      + "FROM conversations WHERE bot_id = #{bot_id} AND updated_at >= #{since} AND created_at < #{until} "
      + "AND (created_at > #{after_at} OR (created_at = #{after_at} AND id > #{after_id})) "
      + "ORDER BY created_at, id LIMIT #{limit}";

  /** Every message of conversations {@code #{c0}} … {@code #{c<count-1>}}, in order. */
  static String exportMessages(int count) {
    return "SELECT conversation_id, role, content, status, sources, feedback, feedback_comment, input_tokens, "
        + "output_tokens, cost, latency_ms, provider, model, error, created_at, author_name FROM messages "
        + "WHERE conversation_id IN (" + params("c", count) + ") ORDER BY conversation_id, seq";
  }

  static final String SESSION_CONVERSATION = "SELECT id FROM conversations WHERE bot_id = #{bot_id} "
      + "AND session_id = #{session_id}";

  /** The bot's conversations whose last activity is before {@code #{before}}, oldest first, a batch at a time. */
  static final String EXPIRED = "SELECT id, session_id FROM conversations WHERE bot_id = #{bot_id} "
      + "AND updated_at < #{before} ORDER BY updated_at LIMIT #{limit}";

  /**
   * Deletes the messages of conversations {@code #{c0}} … that are (still) before {@code #{before}}: a turn
   * that arrived meanwhile keeps its conversation. {@code #{before}} is the end of time for an erasure.
   */
  static String deleteMessages(int count) {
    return "DELETE FROM messages WHERE conversation_id IN (SELECT id FROM conversations WHERE id IN ("
        + params("c", count) + ") AND updated_at < #{before})";
  }

  static String deleteConversations(int count) {
    return "DELETE FROM conversations WHERE id IN (" + params("c", count) + ") AND updated_at < #{before}";
  }

  private MemorySql() {
  }
}
