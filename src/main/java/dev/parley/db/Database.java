package dev.parley.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The SQL pools of one verticle instance, over pools shared by every verticle of the process.
 *
 * <p>SQLite allows one writer at a time, so its statements go through one shared connection
 * (no {@code SQLITE_BUSY} between our own connections; group commit in the memory component
 * keeps that connection from being the bottleneck). Migrations run once per process and
 * database, before any consumer registers.
 */
public final class Database {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final Map<String, Future<Void>> MIGRATED = new ConcurrentHashMap<>();

  private final Dialect dialect;
  private final Pool writer;
  private final Pool reader;

  private Database(Dialect dialect, Pool writer, Pool reader) {
    this.dialect = dialect;
    this.writer = writer;
    this.reader = reader;
  }

  /**
   * Opens the database described by {@code database} config: {@code {url?, file, synchronous}},
   * with {@code dataDir} holding the SQLite file.
   */
  public static Future<Database> open(Vertx vertx, JsonObject database, String dataDir) {
    JsonObject config = database == null ? new JsonObject() : database;
    String url = config.getString("url");
    if (url != null && !url.isBlank()) {
      return Future.failedFuture(new IllegalArgumentException(
          "PARLEY_DATABASE_URL is set, but this build supports only the embedded SQLite database"));
    }
    Path file = Path.of(dataDir, config.getString("file", "parley.db")).toAbsolutePath().normalize();
    SQLiteDataSource dataSource = sqlite(file, config.getString("synchronous", "NORMAL"));
    String name = "parley-sqlite:" + file;
    Future<Void> migrated = migrate(vertx, name, () -> {
      Files.createDirectories(file.getParent());
      return dataSource;
    }, Dialect.SQLITE);
    return migrated.map(v -> {
      // One connection serves reads and writes: a second, read-only connection kept a stale WAL
      // snapshot between statements through the JDBC pool, so reads missed fresh commits.
      Pool pool = JDBCPool.pool(vertx, dataSource, new PoolOptions().setMaxSize(1).setShared(true).setName(name));
      return new Database(Dialect.SQLITE, pool, pool);
    });
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The pool for statements that write. */
  public Pool writer() {
    return writer;
  }

  /** The pool for statements that only read. */
  public Pool reader() {
    return reader;
  }

  /**
   * Runs {@code work} in one transaction on the writer. On SQLite the transaction is opened
   * with SQL ({@code BEGIN IMMEDIATE}) instead of {@code Pool.withTransaction}: vertx-jdbc-client
   * 5.0.x leaves a pooled connection with auto-commit off after any transaction (its issue 356),
   * so every later plain statement would sit uncommitted in an implicit transaction.
   */
  public <T> Future<T> inTransaction(Function<SqlConnection, Future<T>> work) {
    if (dialect != Dialect.SQLITE) {
      return writer.withTransaction(work);
    }
    return writer.getConnection().compose(connection -> connection.query("BEGIN IMMEDIATE").execute()
        .compose(begun -> work.apply(connection)
            .compose(result -> connection.query("COMMIT").execute().map(committed -> result),
                failure -> connection.query("ROLLBACK").execute().transform(rolledBack -> Future.<T>failedFuture(failure))))
        .eventually(connection::close));
  }

  public Future<Void> close() {
    return writer == reader ? writer.close() : Future.all(writer.close(), reader.close()).mapEmpty();
  }

  private static SQLiteDataSource sqlite(Path file, String synchronous) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(synchronous.toUpperCase()));
    config.setBusyTimeout(10_000);
    config.enforceForeignKeys(true);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + file);
    return dataSource;
  }

  private interface DataSourceOpener {
    DataSource open() throws Exception;
  }

  private static Future<Void> migrate(Vertx vertx, String key, DataSourceOpener opener, Dialect dialect) {
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
          return null;
        }));
  }
}
