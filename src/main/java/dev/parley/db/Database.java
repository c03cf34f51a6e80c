package dev.parley.db;

import dev.parley.common.Hashes;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The SQL pool of one verticle instance, shared by every verticle of the process.
 *
 * <p>One pool serves reads and writes in both dialects. PostgreSQL (when {@code database.url} is set)
 * uses one vertx-pg-client pool of {@code database.pool_size} connections. SQLite allows one writer at a
 * time, so its statements go through one shared connection (no {@code SQLITE_BUSY} between our
 * own connections; group commit in the memory component keeps that connection from being the
 * bottleneck). Migrations run once per process and database, before any consumer registers.
 */
public final class Database {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final Map<String, Future<Void>> MIGRATED = new ConcurrentHashMap<>();
  private static final int DEFAULT_POOL_SIZE = 8;
  private static final int DEFAULT_BUSY_TIMEOUT_MS = 10_000;

  private final String name;
  private final Dialect dialect;
  private final Pool pool;

  /** How to reach PostgreSQL, for a connection of its own ({@code LISTEN}); null on SQLite. */
  private io.vertx.pgclient.PgConnectOptions connectOptions;

  private Database(String name, Dialect dialect, Pool pool) {
    this.name = name;
    this.dialect = dialect;
    this.pool = pool;
  }

  /** The SQLite file of the {@code database} config, or null when it names a PostgreSQL server. */
  public static Path sqliteFile(JsonObject database, String dataDir) {
    JsonObject config = database == null ? new JsonObject() : database;
    String url = config.getString("url");
    return url != null && !url.isBlank() ? null
        : Path.of(dataDir, config.getString("file", "parley.db")).toAbsolutePath().normalize();
  }

  /**
   * Opens the database described by {@code database} config: {@code {url?, pool_size, file, synchronous,
   * busy_timeout_ms}}.
   * A {@code url} ({@code postgres://user:password@host:port/db[?sslmode=…]}) selects PostgreSQL;
   * without one, SQLite in the file {@code file} under {@code dataDir}. The future fails with a message
   * fit for an operator (never holding the password) when the URL is unusable or the server unreachable,
   * and, for both databases, when the file is no database or a migration fails (the failed migration is
   * rolled back whole: both dialects run DDL in transactions).
   */
  public static Future<Database> open(Vertx vertx, JsonObject database, String dataDir) {
    JsonObject config = database == null ? new JsonObject() : database;
    String url = config.getString("url");
    if (url != null && !url.isBlank()) {
      PostgresUrl postgres;
      try {
        postgres = PostgresUrl.parse(url);
      } catch (IllegalArgumentException invalid) {
        return Future.failedFuture(invalid);
      }
      return openPostgres(vertx, postgres, config.getInteger("pool_size", DEFAULT_POOL_SIZE));
    }
    Path file = sqliteFile(config, dataDir);
    SQLiteDataSource dataSource = sqlite(file, config.getString("synchronous", "NORMAL"), busyTimeoutMs(config));
    String name = "parley-sqlite:" + file;
    Future<Void> migrated = migrate(vertx, name, () -> {
      Files.createDirectories(file.getParent());
      return dataSource;
    }, Dialect.SQLITE).recover(failure -> Future.failedFuture(unusable(file, failure)));
    return migrated.map(v -> {
      // One connection serves reads and writes: a second, read-only connection kept a stale WAL
      // snapshot between statements through the JDBC pool, so reads missed fresh commits.
      Pool pool = JDBCPool.pool(vertx, dataSource, new PoolOptions().setMaxSize(1).setShared(true).setName(name));
      return new Database(name, Dialect.SQLITE, pool);
    });
  }

  /**
   * PostgreSQL: one pool per process, shared by every verticle (by name), used for reads and writes.
   * Flyway migrates through JDBC first, off the event loop, once per process and database.
   */
  private static Future<Database> openPostgres(Vertx vertx, PostgresUrl url, int poolSize) {
    String name = "parley-pg:" + url;
    Future<Void> migrated = migrate(vertx, name, url::dataSource, Dialect.POSTGRES)
        .recover(failure -> Future.failedFuture(unreachable(url, failure)));
    return migrated.map(v -> {
      Pool pool = PgBuilder.pool()
          .with(new PoolOptions().setShared(true).setName(name).setMaxSize(poolSize))
          .connectingTo(url.connectOptions())
          .using(vertx)
          .build();
      LOG.debug("Using PostgreSQL at {} (pool of {})", url, poolSize);
      Database database = new Database(name, Dialect.POSTGRES, pool);
      database.connectOptions = url.connectOptions();
      return database;
    });
  }

  /**
   * {@code database.busy_timeout_ms}: how long a SQLite statement waits for another process's write lock
   * before it fails (and the request with 503 {@code storage_unavailable}).
   */
  private static int busyTimeoutMs(JsonObject config) {
    Object value = config.getValue("busy_timeout_ms");
    int timeout;
    try {
      timeout = value instanceof Number number ? number.intValue()
          : value instanceof String text ? Integer.parseInt(text.strip()) : DEFAULT_BUSY_TIMEOUT_MS;
    } catch (NumberFormatException notANumber) {
      throw new IllegalArgumentException("database.busy_timeout_ms must be a whole number");
    }
    if (timeout < 0) {
      throw new IllegalArgumentException("database.busy_timeout_ms must be 0 or more, not " + timeout);
    }
    return timeout;
  }

  /** A start-up error that names the SQLite file and says why it cannot be used (no such file, not a database, a failed migration). */
  private static Throwable unusable(Path file, Throwable failure) {
    return new IllegalStateException("Could not open the SQLite database " + file + ": " + reason(failure), failure);
  }

  /**
   * The reason for an operator: the first line of a failed migration's report (it names the migration)
   * followed by the driver's own words.
   */
  private static String reason(Throwable failure) {
    Throwable root = failure;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      root = t;
    }
    String driver = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().strip();
    if (failure instanceof FlywayException && failure != root && failure.getMessage() != null) {
      String first = failure.getMessage().strip().lines().findFirst().orElse("").strip();
      return first.isEmpty() || first.equals(driver) ? driver : first + " (" + driver + ")";
    }
    return driver;
  }

  /** A start-up error that names the database (never the password) and keeps the driver's reason. */
  private static Throwable unreachable(PostgresUrl url, Throwable failure) {
    Throwable root = failure;
    boolean leaks = false;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      root = t;
      leaks |= url.revealsPassword(t.getMessage()) || url.revealsPassword(t.toString());
    }
    String reason = reason(failure);
    if (leaks) {
      reason = root.getClass().getSimpleName();
    }
    String message = "Could not open the PostgreSQL database " + url + " (PARLEY_DATABASE_URL): " + reason;
    return leaks ? new IllegalStateException(message) : new IllegalStateException(message, failure);
  }

  /**
   * Whether {@code failure} is a foreign-key violation (the row it refers to is gone), in either
   * dialect: SQLite reports it in the message, PostgreSQL with SQLSTATE 23503.
   */
  public static boolean isForeignKeyViolation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PgException pg && "23503".equals(pg.getSqlState())) {
        return true;
      }
      if (t.getMessage() != null && t.getMessage().contains("FOREIGN KEY")) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code failure} is a primary-key or unique-constraint violation, in either dialect. */
  public static boolean isUniqueViolation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PgException pg && "23505".equals(pg.getSqlState())) {
        return true;
      }
      if (t.getMessage() != null && t.getMessage().contains("UNIQUE constraint failed")) {
        return true;
      }
    }
    return false;
  }

  /** Names the database (its file, or its URL without the password): equal names, same database. */
  public String name() {
    return name;
  }

  /** PostgreSQL's connect options (for {@code LISTEN} on a connection of its own), or null on SQLite. */
  public io.vertx.pgclient.PgConnectOptions connectOptions() {
    return connectOptions;
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The pool for every statement, reads and writes alike. */
  public Pool pool() {
    return pool;
  }

  /**
   * Runs {@code work} in one transaction. On SQLite the transaction is opened
   * with SQL ({@code BEGIN IMMEDIATE}) instead of {@code Pool.withTransaction}: vertx-jdbc-client
   * 5.0.x leaves a pooled connection with auto-commit off after any transaction (its issue 356),
   * so every later plain statement would sit uncommitted in an implicit transaction.
   */
  public <T> Future<T> inTransaction(Function<SqlConnection, Future<T>> work) {
    if (dialect != Dialect.SQLITE) {
      return pool.withTransaction(work);
    }
    return pool.getConnection().compose(connection -> connection.query("BEGIN IMMEDIATE").execute()
        .compose(begun -> work.apply(connection)
            .compose(result -> connection.query("COMMIT").execute().map(committed -> result),
                failure -> connection.query("ROLLBACK").execute().transform(rolledBack -> Future.<T>failedFuture(failure))))
        .eventually(connection::close));
  }

  /**
   * Runs {@code work}, written with {@link Statements}, in one transaction. On SQLite the whole transaction runs on
   * one worker thread straight on the pool's JDBC connection, held meanwhile: one hop off the event loop where
   * {@link #inTransaction} takes one per statement, each waiting its turn on a busy event loop on the way back (a
   * group commit of chat turns took 8–9 ms for six statements under load, most of it those waits). On PostgreSQL it
   * is {@link #inTransaction} with the statements on its connection.
   */
  public <T> Future<T> inStatements(Function<Statements, Future<T>> work) {
    if (dialect != Dialect.SQLITE) {
      return pool.withTransaction(connection -> work.apply(new ClientStatements(connection)));
    }
    return pool.getConnection().compose(connection -> {
      Future<T> ran;
      try {
        Connection jdbc = JdbcStatements.unwrap(connection);
        Context context = Vertx.currentContext();
        ran = context == null ? Future.failedFuture(new IllegalStateException("inStatements off a Vert.x thread"))
            : context.executeBlocking(() -> JdbcStatements.transaction(pool, jdbc, work), false);
      } catch (RuntimeException unusable) {
        ran = Future.failedFuture(unusable); // the connection goes back to the pool below, whatever failed
      }
      return ran.eventually(connection::close);
    });
  }

  /**
   * Holds a lock named {@code name} until {@code tx}, a transaction of {@link #inTransaction}, ends: for a limit
   * counted before an insert ("at most 50 tokens per user"), so two transactions cannot both count below it and both
   * insert. On PostgreSQL a transaction-scoped advisory lock keyed by the name's hash (READ COMMITTED would let both
   * count first); SQLite's writers already run one at a time ({@code BEGIN IMMEDIATE}).
   */
  public Future<Void> lockFor(SqlClient tx, String name) {
    return lockFor(tx, lockKey(name));
  }

  /** {@link #lockFor(SqlClient, String)} with the advisory lock's key itself. */
  public Future<Void> lockFor(SqlClient tx, long key) {
    return dialect == Dialect.POSTGRES
        ? tx.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(key)).mapEmpty()
        : Future.succeededFuture();
  }

  static long lockKey(String name) {
    return ByteBuffer.wrap(Hashes.sha256(name.getBytes(StandardCharsets.UTF_8))).getLong();
  }

  /**
   * PostgreSQL acknowledges a commit before it is on disk when {@code synchronous_commit} is {@code off}:
   * a server crash can then lose turns their clients saw acknowledged. Parley still starts (the database
   * cannot be corrupted by it), and says so.
   */
  private static void warnOnAsynchronousCommit(DataSource dataSource, String name) throws SQLException {
    try (Connection connection = dataSource.getConnection();
         Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SHOW synchronous_commit")) {
      String setting = rows.next() ? rows.getString(1) : null;
      if ("off".equalsIgnoreCase(setting)) {
        LOG.warn("PostgreSQL database {} has synchronous_commit = off: a server crash can lose chat turns that "
            + "were already acknowledged to visitors. Set it to on (ALTER DATABASE … SET synchronous_commit = on)",
            name.substring(name.indexOf(':') + 1));
      }
    }
  }

  public Future<Void> close() {
    return pool.close();
  }

  private static SQLiteDataSource sqlite(Path file, String synchronous, int busyTimeoutMs) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(synchronous.toUpperCase()));
    config.setBusyTimeout(busyTimeoutMs);
    config.enforceForeignKeys(true);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + file);
    return dataSource;
  }

  private interface DataSourceOpener {
    DataSource open() throws Exception;
  }

  /**
   * Runs the migrations once per process and database. The result is handed back on the
   * caller's context: the shared future would otherwise run every later verticle's start-up
   * continuation on the context of the verticle that migrated first, registering its consumers
   * (and so running its handlers) on that verticle's event loop, and outside its deployment.
   */
  private static Future<Void> migrate(Vertx vertx, String key, DataSourceOpener opener, Dialect dialect) {
    Context caller = vertx.getOrCreateContext();
    Future<Void> once = migrateOnce(vertx, key, opener, dialect);
    if (once.isComplete()) {
      // Done earlier, maybe by a Vert.x instance closed since: its context would never run a callback.
      return once.succeeded() ? Future.succeededFuture() : Future.failedFuture(once.cause());
    }
    Promise<Void> here = Promise.promise();
    once.onComplete(result -> caller.runOnContext(v -> here.handle(result)));
    return here.future();
  }

  private static Future<Void> migrateOnce(Vertx vertx, String key, DataSourceOpener opener, Dialect dialect) {
    return MIGRATED.compute(key, (k, previous) -> previous != null && !previous.failed()
        ? previous
        : vertx.executeBlocking(() -> {
          var result = Flyway.configure()
              .dataSource(opener.open())
              .locations(dialect.migrationsLocation())
              .load()
              .migrate();
          LOG.info("Database schema at version {} ({} migrations applied)", result.targetSchemaVersion,
              result.migrationsExecuted);
          if (dialect == Dialect.POSTGRES) {
            warnOnAsynchronousCommit(opener.open(), key);
          }
          return null;
        }));
  }
}
