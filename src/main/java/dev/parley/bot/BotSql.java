package dev.parley.bot;

/** SQL of the bot component, as SqlTemplate texts (one text serves SQLite and PostgreSQL). */
final class BotSql {

  static final String COLUMNS = "id, name, config, api_key_enc, api_key_hint, created_at, updated_at, provider_status";

  static final String INSERT = "INSERT INTO bots (" + COLUMNS + ") VALUES "
      + "(#{id}, #{name}, #{config}, #{api_key_enc}, #{api_key_hint}, #{created_at}, #{updated_at}, #{provider_status})";

  static final String SELECT_ONE = "SELECT " + COLUMNS + " FROM bots WHERE id = #{id}";

  static final String SELECT_ALL = "SELECT " + COLUMNS + " FROM bots ORDER BY created_at, id";

  static final String UPDATE = "UPDATE bots SET name = #{name}, config = #{config}, api_key_enc = #{api_key_enc}, "
      + "api_key_hint = #{api_key_hint}, updated_at = #{updated_at}, provider_status = #{provider_status} WHERE id = #{id}";

  static final String SET_PROVIDER_STATUS = "UPDATE bots SET provider_status = #{provider_status} WHERE id = #{id}";

  static final String CLEAR_PROVIDER_STATUS =
      "UPDATE bots SET provider_status = NULL WHERE id = #{id} AND provider_status IS NOT NULL";

  static final String DELETE = "DELETE FROM bots WHERE id = #{id}";

  private BotSql() {
  }
}
