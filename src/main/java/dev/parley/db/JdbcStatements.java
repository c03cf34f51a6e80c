package dev.parley.db;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.jdbcclient.impl.ConnectionImpl;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.internal.SqlConnectionInternal;
import io.vertx.sqlclient.templates.impl.SqlTemplate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Statements} straight on a SQLite JDBC connection, run on the worker thread that runs the whole transaction
 * ({@link #transaction}): each statement's future is complete when the method returns. Templates are parsed as the
 * Vert.x client parses them for the pool's driver ({@link Templates}, kept there). Values are bound with
 * {@code setObject}, as the Vert.x JDBC client binds them, so failures are the same {@code SQLException}s; bind only
 * strings, numbers and null (an {@code Instant} or a {@code Buffer} would be stored as text, where the Vert.x client
 * converts or refuses them), and read columns as the types SQLite answers (an integer column gives an
 * {@code Integer} or a {@code Long} by its value).
 */
final class JdbcStatements implements Statements {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcStatements.class);

  private final SqlClient driver;
  private final Connection connection;
  /** False once the transaction ended: work that outlived it must not write outside it. */
  private volatile boolean open = true;

  private JdbcStatements(SqlClient driver, Connection connection) {
    this.driver = driver;
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
  static <T> T transaction(SqlClient driver, Connection connection, Function<Statements, Future<T>> work)
      throws Exception {
    execute(connection, "BEGIN IMMEDIATE");
    JdbcStatements statements = new JdbcStatements(driver, connection);
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
    SqlTemplate parsed = Templates.parsed(driver, template);
    try (PreparedStatement statement = connection.prepareStatement(parsed.getSql())) {
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
    SqlTemplate parsed = Templates.parsed(driver, template);
    try (PreparedStatement statement = connection.prepareStatement(parsed.getSql())) {
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

  private static void bind(PreparedStatement statement, SqlTemplate parsed, Map<String, Object> values)
      throws SQLException {
    Tuple tuple = parsed.mapTuple(values);
    for (int i = 0; i < tuple.size(); i++) {
      statement.setObject(i + 1, tuple.getValue(i));
    }
  }
}
