package dev.parley.db;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.jdbcclient.impl.ConnectionImpl;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.internal.SqlConnectionInternal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Statements} straight on a SQLite JDBC connection, run on the worker thread that runs the whole transaction
 * ({@link #transaction}): each statement's future is complete when the method returns. Values are bound with
 * {@code setObject}, as the Vert.x JDBC client binds them, so failures are the same {@code SQLException}s; bind only
 * strings, numbers and null (an {@code Instant} or a {@code Buffer} would be stored as text, where the Vert.x client
 * converts or refuses them), and read columns as the types SQLite answers (an integer column gives an
 * {@code Integer} or a {@code Long} by its value).
 */
final class JdbcStatements implements Statements {

  static final int MAX_PARSED = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(JdbcStatements.class);

  /** A template with {@code ?} for each {@code #{name}}, and the names in order. */
  record Parsed(String sql, List<String> names) {
  }

  private static final Map<String, Parsed> PARSED = new ConcurrentHashMap<>();

  private final Connection connection;
  /** False once the transaction ended: work that outlived it must not write outside it. */
  private volatile boolean open = true;

  private JdbcStatements(Connection connection) {
    this.connection = connection;
  }

  /** The JDBC connection under a connection of Vert.x's JDBC pool (held by the caller until it closes it). */
  static Connection unwrap(SqlConnection pooled) {
    io.vertx.sqlclient.internal.Connection inner = ((SqlConnectionInternal) pooled).unwrap();
    if (!(inner instanceof ConnectionImpl)) {
      inner = inner.unwrap();
    }
    return ((ConnectionImpl) inner).getJDBCConnection();
  }

  /**
   * Runs {@code work} between {@code BEGIN IMMEDIATE} and {@code COMMIT} on {@code connection}, on the calling
   * (worker) thread; rolls back and throws what failed when {@code work} fails, throws (an {@code Error} too), or
   * answers a future that is not complete yet (work that waits for something else cannot hold the transaction here).
   * Its statements refuse to run once the transaction has ended.
   */
  static <T> T transaction(Connection connection, Function<Statements, Future<T>> work) throws Exception {
    execute(connection, "BEGIN IMMEDIATE");
    JdbcStatements statements = new JdbcStatements(connection);
    boolean committed = false;
    try {
      Future<T> done = work.apply(statements);
      if (!done.isComplete()) {
        throw new IllegalStateException("a SQLite transaction's work waited for something outside the transaction");
      }
      if (done.failed()) {
        if (done.cause() instanceof Error error) {
          throw error;
        }
        throw done.cause() instanceof Exception failure ? failure : new IllegalStateException(done.cause());
      }
      execute(connection, "COMMIT");
      committed = true;
      return done.result();
    } finally {
      statements.open = false;
      if (!committed) {
        rollback(connection);
      }
    }
  }

  /**
   * Rolls back. A connection left inside the transaction would keep every later write of the process uncommitted
   * (one connection serves them all), so when the rollback itself fails the connection is closed: later statements
   * fail loudly (503) instead of being lost at the next restart.
   */
  private static void rollback(Connection connection) {
    try {
      execute(connection, "ROLLBACK");
    } catch (SQLException failed) {
      if (failed.getMessage() != null && failed.getMessage().contains("no transaction is active")) {
        return; // SQLite rolled back itself (a full disk, say)
      }
      LOG.error("Could not roll back a SQLite transaction; closing its connection: {}", failed.getMessage());
      try {
        connection.close();
      } catch (SQLException closing) {
        LOG.error("Could not close the SQLite connection: {}", closing.getMessage());
      }
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  @Override
  public Future<Void> batch(String template, List<Map<String, Object>> rows) {
    if (!open) {
      return ended();
    }
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    Parsed parsed = parse(template);
    try (PreparedStatement statement = connection.prepareStatement(parsed.sql())) {
      for (Map<String, Object> row : rows) {
        bind(statement, parsed, row);
        statement.addBatch();
      }
      statement.executeBatch();
      return Future.succeededFuture();
    } catch (SQLException failure) {
      return Future.failedFuture(failure);
    }
  }

  @Override
  public Future<List<JsonObject>> query(String template, Map<String, Object> params) {
    if (!open) {
      return ended();
    }
    Parsed parsed = parse(template);
    try (PreparedStatement statement = connection.prepareStatement(parsed.sql())) {
      bind(statement, parsed, params);
      List<JsonObject> rows = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        ResultSetMetaData columns = result.getMetaData();
        int count = columns.getColumnCount();
        while (result.next()) {
          JsonObject row = new JsonObject();
          for (int i = 1; i <= count; i++) {
            row.put(columns.getColumnLabel(i), result.getObject(i));
          }
          rows.add(row);
        }
      }
      return Future.succeededFuture(rows);
    } catch (SQLException failure) {
      return Future.failedFuture(failure);
    }
  }

  private static <T> Future<T> ended() {
    return Future.failedFuture(new IllegalStateException("a statement of a SQLite transaction that has ended"));
  }

  private static void bind(PreparedStatement statement, Parsed parsed, Map<String, Object> values) throws SQLException {
    List<String> names = parsed.names();
    for (int i = 0; i < names.size(); i++) {
      statement.setObject(i + 1, values.get(names.get(i)));
    }
  }

  /** {@code template} with its {@code #{name}} parameters as {@code ?}; at most {@link #MAX_PARSED} are kept. */
  static Parsed parse(String template) {
    Parsed parsed = PARSED.get(template);
    if (parsed != null) {
      return parsed;
    }
    StringBuilder sql = new StringBuilder(template.length());
    List<String> names = new ArrayList<>();
    int at = 0;
    while (true) {
      int open = template.indexOf("#{", at);
      int close = open < 0 ? -1 : template.indexOf('}', open + 2);
      if (close < 0) {
        sql.append(template, at, template.length());
        break;
      }
      sql.append(template, at, open).append('?');
      names.add(template.substring(open + 2, close));
      at = close + 1;
    }
    parsed = new Parsed(sql.toString(), List.copyOf(names));
    if (PARSED.size() < MAX_PARSED) {
      PARSED.putIfAbsent(template, parsed);
    }
    return parsed;
  }
}
