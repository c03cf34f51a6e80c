package dev.parley.db;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.impl.SqlClientInternal;
import io.vertx.sqlclient.templates.SqlTemplate;
import io.vertx.sqlclient.templates.impl.SqlTemplateImpl;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link SqlTemplate#forQuery} and {@link SqlTemplate#forUpdate} with each template text parsed once per driver.
 * The library parses the {@code #{name}} text with two regular expressions on every call, which a stored turn
 * paid four times; the parsed form (the SQL with the driver's placeholders and the order of the names) depends on
 * nothing else, so it is kept. At most {@link #MAX} texts are kept: the texts are constants, except the few built
 * with a list of parameters whose length varies (those past the bound are parsed on each call, as before).
 */
public final class Templates {

  static final int MAX = 1_000;

  private record Key(Class<?> driver, String template) {
  }

  private static final Map<Key, io.vertx.sqlclient.templates.impl.SqlTemplate> PARSED = new ConcurrentHashMap<>();

  private Templates() {
  }

  /** A query answering its rows, for {@code client} (a pool, a connection or a transaction's connection). */
  public static SqlTemplate<Map<String, Object>, RowSet<Row>> forQuery(SqlClient client, String template) {
    io.vertx.sqlclient.templates.impl.SqlTemplate parsed = parsed(client, template);
    return new SqlTemplateImpl<>(client, parsed, query -> query, parsed::mapTuple);
  }

  /** A statement answering nothing but its row count. */
  public static SqlTemplate<Map<String, Object>, SqlResult<Void>> forUpdate(SqlClient client, String template) {
    io.vertx.sqlclient.templates.impl.SqlTemplate parsed = parsed(client, template);
    return new SqlTemplateImpl<>(client, parsed, query -> query.collecting(SqlTemplateImpl.NULL_COLLECTOR),
        parsed::mapTuple);
  }

  /** {@code template} parsed for {@code client}'s driver: its SQL with the driver's placeholders, and its names. */
  static io.vertx.sqlclient.templates.impl.SqlTemplate parsed(SqlClient client, String template) {
    SqlClientInternal internal = (SqlClientInternal) client;
    Key key = new Key(internal.driver().getClass(), template);
    io.vertx.sqlclient.templates.impl.SqlTemplate parsed = PARSED.get(key);
    if (parsed == null) {
      parsed = io.vertx.sqlclient.templates.impl.SqlTemplate.create(internal, template);
      if (PARSED.size() < MAX) {
        PARSED.putIfAbsent(key, parsed);
      }
    }
    return parsed;
  }

  /** How many texts are kept (for tests). */
  static int size() {
    return PARSED.size();
  }
}
