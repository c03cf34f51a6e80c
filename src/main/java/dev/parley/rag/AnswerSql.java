package dev.parley.rag;

/** SQL of a bot's stored answers ({@link StoredAnswers}), as SqlTemplate texts for SQLite and PostgreSQL. */
final class AnswerSql {

  static final String COLUMNS = "id, bot_id, question, answer, alt_questions, created_at, updated_at";

  static final String INSERT = "INSERT INTO bot_answers (" + COLUMNS + ", vectors, embedding_model) VALUES (#{id}, "
      + "#{bot_id}, #{question}, #{answer}, #{alt_questions}, #{created_at}, #{updated_at}, #{vectors}, "
      + "#{embedding_model})";

  static final String UPDATE = "UPDATE bot_answers SET question = #{question}, answer = #{answer}, "
      + "alt_questions = #{alt_questions}, updated_at = #{updated_at}, vectors = #{vectors}, "
      + "embedding_model = #{embedding_model} WHERE id = #{id} AND bot_id = #{bot_id}";

  static final String SET_VECTORS = "UPDATE bot_answers SET vectors = #{vectors}, embedding_model = #{embedding_model} "
      + "WHERE id = #{id} AND bot_id = #{bot_id}";

  static final String SELECT_ONE = "SELECT " + COLUMNS + " FROM bot_answers WHERE id = #{id} AND bot_id = #{bot_id}";

  static final String SELECT_BOT = "SELECT " + COLUMNS + " FROM bot_answers WHERE bot_id = #{bot_id} "
      + "ORDER BY created_at, id";

  /** The bot's answers with their cached vectors: what matching loads. */
  static final String SELECT_VECTORS = "SELECT " + COLUMNS + ", vectors, embedding_model FROM bot_answers "
      + "WHERE bot_id = #{bot_id} ORDER BY created_at, id";

  static final String COUNT = "SELECT COUNT(*) AS n FROM bot_answers WHERE bot_id = #{bot_id}";

  static final String DELETE = "DELETE FROM bot_answers WHERE id = #{id} AND bot_id = #{bot_id}";

  private AnswerSql() {
  }
}
