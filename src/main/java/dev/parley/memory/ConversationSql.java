package dev.parley.memory;

/** SQL of a conversation's state, its agent messages and notes, and its visitor-visible event log (V014). */
final class ConversationSql {

  static final String STATE_COLUMNS = "id, bot_id, session_id, state, assignee_id, assignee_name, state_reason, "
      + "state_trigger, state_at, handoff_at, no_answer_streak";

  static final String STATE_OF_SESSION = "SELECT " + STATE_COLUMNS + " FROM conversations "
      + "WHERE bot_id = #{bot_id} AND session_id = #{session_id}";

  /**
   * What every visitor's turn reads ({@code parley.conversation.state.get}): only the columns its answer shows, since
   * the JDBC client reads the metadata of every column of every query it runs (issue 17: 11 columns were about a
   * quarter of the bytes a plain turn allocated).
   */
  static final String PUBLIC_STATE_OF_SESSION = "SELECT state, assignee_id, assignee_name FROM conversations "
      + "WHERE bot_id = #{bot_id} AND session_id = #{session_id}";

  static final String STATE_OF_CONVERSATION = "SELECT " + STATE_COLUMNS + " FROM conversations "
      + "WHERE id = #{conversation_id} AND bot_id = #{bot_id}";

  /** Makes the session's conversation when it has none yet, and locks its row (PostgreSQL) for the transaction. */
  static final String ENSURE = "INSERT INTO conversations (id, bot_id, session_id, created_at, updated_at, message_count) "
      + "VALUES (#{id}, #{bot_id}, #{session_id}, #{now}, #{now}, 0) "
      + "ON CONFLICT (bot_id, session_id) DO UPDATE SET updated_at = excluded.updated_at";

  /** A no-op write that locks the conversation's row (PostgreSQL): one conversation's changes go one at a time. */
  static final String LOCK = "UPDATE conversations SET state = state WHERE id = #{conversation_id} AND bot_id = #{bot_id}";

  static final String SET_STATE = "UPDATE conversations SET state = #{state}, assignee_id = #{assignee_id}, "
      + "assignee_name = #{assignee_name}, state_reason = #{reason}, state_trigger = #{trigger}, state_at = #{now}, "
      + "handoff_at = #{handoff_at}, no_answer_streak = 0, updated_at = #{now}, agent_seq = CASE WHEN #{state} = 'waiting' "
      + "THEN COALESCE((SELECT MAX(seq) FROM messages WHERE conversation_id = #{conversation_id}), 0) ELSE agent_seq END "
      + "WHERE id = #{conversation_id}";

  static final String COUNT_NO_ANSWER = "UPDATE conversations SET no_answer_streak = "
      + "CASE WHEN #{answered} = 1 THEN 0 ELSE no_answer_streak + 1 END WHERE bot_id = #{bot_id} AND session_id = #{session_id}";

  static final String INSERT_MESSAGE = "INSERT INTO messages (id, conversation_id, bot_id, role, content, status, "
      + "author_id, author_name, created_at) VALUES (#{id}, #{conversation_id}, #{bot_id}, #{role}, #{content}, 'complete', "
      + "#{author_id}, #{author_name}, #{now})";

  /** After an agent's message: the visitor's messages before it count as read. */
  static final String AGENT_WROTE = "UPDATE conversations SET updated_at = #{now}, message_count = message_count + 1, "
      + "agent_seq = (SELECT MAX(seq) FROM messages WHERE conversation_id = #{conversation_id}), handoff_at = NULL "
      + "WHERE id = #{conversation_id}";

  static final String NOTE_WRITTEN = "UPDATE conversations SET updated_at = #{now}, message_count = message_count + 1 "
      + "WHERE id = #{conversation_id}";

  static final String INSERT_EVENT = "INSERT INTO conversation_events (bot_id, session_id, conversation_id, type, data, at) "
      + "VALUES (#{bot_id}, #{session_id}, #{conversation_id}, #{type}, #{data}, #{now})";

  /** The event just appended by this transaction (its conversation's row is locked: no other append of it runs). */
  static final String LAST_EVENT = "SELECT MAX(id) AS id FROM conversation_events WHERE conversation_id = #{conversation_id}";

  static final String EVENTS = "SELECT id, type, data FROM conversation_events WHERE bot_id = #{bot_id} "
      + "AND session_id = #{session_id} AND id > #{after} ORDER BY id LIMIT #{limit}";

  /** Deletes the event logs of conversations {@code #{c0}} … (retention and erasure, before the conversations). */
  static String deleteEvents(int count) {
    return "DELETE FROM conversation_events WHERE conversation_id IN (SELECT id FROM conversations WHERE id IN ("
        + MemorySql.params("c", count) + ") AND updated_at < #{before})";
  }

  static final String INBOX_COLUMNS = "SELECT c.id AS conversation_id, c.bot_id, c.session_id, c.state, c.assignee_id, "
      + "c.assignee_name, c.state_reason, c.state_trigger, c.state_at, c.created_at, c.updated_at, c.message_count, "
      + "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.role = 'user' AND m.seq > c.agent_seq) "
      + "AS unread, (SELECT m.content FROM messages m WHERE m.conversation_id = c.id AND m.role IN ('user', 'assistant', "
      + "'agent') ORDER BY m.seq DESC LIMIT 1) AS last_message FROM conversations c WHERE ";

  /** Counts a request for a person in its bot's day ({@code usage_daily}, V020); {@code trigger} is one of the closed set. */
  static String countHandoff(String trigger) {
    String column = "handoffs_" + trigger;
    return "INSERT INTO usage_daily (bot_id, day, " + column + ") VALUES (#{bot_id}, #{day}, 1) ON CONFLICT (bot_id, day) "
        + "DO UPDATE SET " + column + " = usage_daily." + column + " + 1";
  }

  /** Adds a first agent reply after a request for a person, and its wait, to its bot's day. */
  static final String COUNT_FIRST_REPLY = "INSERT INTO usage_daily (bot_id, day, first_replies, first_reply_ms_sum) "
      + "VALUES (#{bot_id}, #{day}, 1, #{wait_ms}) ON CONFLICT (bot_id, day) DO UPDATE SET "
      + "first_replies = usage_daily.first_replies + 1, first_reply_ms_sum = usage_daily.first_reply_ms_sum + #{wait_ms}";

  /** A follow-up's reason and the contact the visitor left, on a conversation already waiting. */
  static final String FOLLOW_UP = "UPDATE conversations SET state_reason = CASE WHEN state = 'waiting' THEN 'follow_up' "
      + "ELSE state_reason END, follow_up_name = #{name}, follow_up_email = #{email}, updated_at = #{now} "
      + "WHERE id = #{conversation_id}";

  /** Conversations per bot and state, for {@code /metrics} (as many rows as bots with conversations, times four). */
  static final String PER_STATE = "SELECT bot_id, state, COUNT(*) AS conversations FROM conversations GROUP BY bot_id, state";

  private ConversationSql() {
  }
}
