package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Opening both databases: migrations, transactions, and start-up errors that never show the password. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class DatabaseTest {

  private static final String PASSWORD = "Pw-s3cr3t-9x";

  @TempDir
  Path dataDir;

  @RegisterExtension
  final OpenedDatabases databases = new OpenedDatabases(() -> dataDir);

  /** The {@code database} config of a fresh database of the kind. */
  private JsonObject fresh(String kind) {
    return databases.fresh(kind);
  }

  private Future<Database> open(Vertx vertx, JsonObject config) {
    return databases.open(vertx, config);
  }

  private Connection jdbc(JsonObject config) throws SQLException {
    String url = config.getString("url");
    return url == null ? DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(config.getString("file")))
        : PostgresUrl.parse(url).dataSource().getConnection();
  }

  private static Future<Void> insertBot(SqlClient client, String id) {
    long now = System.currentTimeMillis();
    Map<String, Object> row = Map.of("id", id, "name", id, "config", "{}", "created_at", now, "updated_at", now);
    return SqlTemplate.forUpdate(client, "INSERT INTO bots (id, name, config, created_at, updated_at) "
        + "VALUES (#{id}, #{name}, #{config}, #{created_at}, #{updated_at})").execute(row).mapEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void migrations_bring_a_fresh_database_to_the_latest_version(String kind, Vertx vertx, VertxTestContext test)
      throws Exception {
    List<String> files = migrations(kind.equals("sqlite") ? Dialect.SQLITE : Dialect.POSTGRES);
    open(vertx, fresh(kind))
        .compose(database -> database.pool()
            .query("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank").execute()
            .map(rows -> {
              List<String> applied = new ArrayList<>();
              for (Row row : rows) {
                applied.add(row.getString("version"));
              }
              assertThat(database.dialect()).isEqualTo(kind.equals("sqlite") ? Dialect.SQLITE : Dialect.POSTGRES);
              assertThat(applied).isNotEmpty().hasSize(files.size());
              return applied;
            }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void both_dialects_have_the_same_migrations_tables_and_columns(Vertx vertx, VertxTestContext test) throws Exception {
    assertThat(migrations(Dialect.POSTGRES)).isEqualTo(migrations(Dialect.SQLITE));
    JsonObject sqlite = fresh("sqlite");
    JsonObject postgres = fresh("postgres");
    Future.all(open(vertx, sqlite), open(vertx, postgres))
        .compose(both -> vertx.executeBlocking(() -> {
          Map<String, TreeSet<String>> sqliteColumns = new TreeMap<>();
          try (Connection connection = jdbc(sqlite);
               ResultSet rows = connection.createStatement().executeQuery("SELECT m.name, p.name FROM sqlite_master m "
                   + "JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' "
                   + "AND m.name <> 'flyway_schema_history'")) {
            while (rows.next()) {
              sqliteColumns.computeIfAbsent(rows.getString(1), t -> new TreeSet<>()).add(rows.getString(2));
            }
          }
          Map<String, TreeSet<String>> postgresColumns = new TreeMap<>();
          try (Connection connection = jdbc(postgres);
               ResultSet rows = connection.createStatement().executeQuery("SELECT table_name, column_name "
                   + "FROM information_schema.columns WHERE table_schema = current_schema() "
                   + "AND table_name <> 'flyway_schema_history'")) {
            while (rows.next()) {
              postgresColumns.computeIfAbsent(rows.getString(1), t -> new TreeSet<>()).add(rows.getString(2));
            }
          }
          assertThat(sqliteColumns).containsKeys("bots", "conversations", "messages");
          assertThat(postgresColumns).isEqualTo(sqliteColumns);
          return null;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  /** Regression: vertx-jdbc-client once left a pooled connection in auto-commit off after a transaction. */
  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void a_plain_write_after_a_transaction_is_visible_from_another_connection(String kind, Vertx vertx,
      VertxTestContext test) {
    JsonObject config = fresh(kind);
    open(vertx, config)
        .compose(database -> database.inTransaction(tx -> insertBot(tx, "bot_in_tx"))
            .compose(v -> database.inTransaction(tx -> insertBot(tx, "bot_rolled_back")
                .compose(inserted -> Future.failedFuture("rolled back on purpose")))
                .otherwiseEmpty())
            .compose(v -> insertBot(database.pool(), "bot_plain")))
        .compose(v -> vertx.executeBlocking(() -> {
          List<String> ids = new ArrayList<>();
          try (Connection connection = jdbc(config);
               ResultSet rows = connection.createStatement().executeQuery("SELECT id FROM bots ORDER BY id")) {
            while (rows.next()) {
              ids.add(rows.getString(1));
            }
          }
          assertThat(ids).containsExactly("bot_in_tx", "bot_plain");
          return null;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "mysql://parley:" + PASSWORD + "@127.0.0.1:3306/parley",
      "postgres://parley:" + PASSWORD + "@127.0.0.1:54x32/parley",
      "postgres://parley:" + PASSWORD + " with spaces@127.0.0.1:5432/parley",
      "postgres://parley:" + PASSWORD + "@127.0.0.1:5432/",
      "postgresql://parley:" + PASSWORD + "@127.0.0.1:5432/parley?sslmode=sometimes",
      "postgresql://parley:" + PASSWORD + "@127.0.0.1:5432/parley?currentSchema=x",
      "postgres://parley:" + PASSWORD + "@127.0.0.1:1/parley",
      "postgres://postgres:" + PASSWORD + "@127.0.0.1:5432/parley_test_no_such_database"})
  void a_bad_url_stops_start_up_with_a_clear_message_without_the_password(String url, Vertx vertx,
      VertxTestContext test) {
    Database.open(vertx, new JsonObject().put("url", url), dataDir.toString()).onComplete(test.failing(failure ->
        test.verify(() -> {
          assertThat(failure.getMessage()).contains("PARLEY_DATABASE_URL");
          assertThat(stackTrace(failure)).doesNotContain(PASSWORD);
          test.completeNow();
        })));
  }

  @Test
  void a_busy_timeout_that_is_not_a_whole_number_is_named_without_its_value(Vertx vertx) {
    JsonObject config = new JsonObject().put("file", "busy.db").put("busy_timeout_ms", "10 s");

    assertThatThrownBy(() -> Database.open(vertx, config, dataDir.toString()))
        .hasMessage("database.busy_timeout_ms must be a whole number");
  }

  @Test
  void a_database_migrated_by_a_closed_vertx_opens_in_another(VertxTestContext test) {
    JsonObject config = new JsonObject().put("file", "reopened.db");
    Vertx first = Vertx.vertx();
    Database.open(first, config, dataDir.toString())
        .compose(db -> db.close())
        .compose(closed -> first.close())
        .compose(gone -> {
          Vertx second = Vertx.vertx();
          return Database.open(second, config, dataDir.toString())
              .compose(db -> db.pool().query("SELECT COUNT(*) AS n FROM bots").execute()
                  .eventually(db::close))
              .eventually(second::close);
        })
        .onComplete(test.succeeding(rows -> test.verify(() -> {
          assertThat(rows.iterator().next().getLong("n")).isZero();
          test.completeNow();
        })));
  }

  @Test
  void an_unreachable_server_is_named_with_its_reason(Vertx vertx, VertxTestContext test) {
    Database.open(vertx, new JsonObject().put("url", "postgres://parley:" + PASSWORD + "@127.0.0.1:1/parley"),
        dataDir.toString()).onComplete(test.failing(failure -> test.verify(() -> {
          assertThat(failure.getMessage()).startsWith("Could not open the PostgreSQL database postgres://parley@127.0.0.1:1/parley")
              .containsIgnoringCase("connection");
          test.completeNow();
        })));
  }

  @Test
  void the_app_does_not_start_on_a_bad_database_url(Vertx vertx, VertxTestContext test) {
    JsonObject overrides = new JsonObject().put("database", new JsonObject()
        .put("url", "postgres://parley:" + PASSWORD + "@127.0.0.1:1/parley"));
    TestApp.start(vertx, dataDir, overrides).onComplete(test.failing(failure -> test.verify(() -> {
      assertThat(failure.getMessage()).contains("postgres://parley@127.0.0.1:1/parley");
      assertThat(stackTrace(failure)).doesNotContain(PASSWORD);
      test.completeNow();
    })));
  }

  @Test
  void a_url_gives_its_parts_and_hides_the_password() {
    PostgresUrl url = PostgresUrl.parse("postgresql://app%40team:p%40ss%3Aw%2Frd+x@db.example.com/parley?sslmode=require");
    assertThat(url.user()).isEqualTo("app@team");
    assertThat(url.host()).isEqualTo("db.example.com");
    assertThat(url.port()).isEqualTo(5432);
    assertThat(url.database()).isEqualTo("parley");
    assertThat(url.connectOptions().getPassword()).isEqualTo("p@ss:w/rd+x");
    assertThat(url.connectOptions().getSslMode().value).isEqualTo("require");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:5432/parley?sslmode=require");
    assertThat(url.toString()).isEqualTo("postgres://app@team@db.example.com:5432/parley").doesNotContain("p@ss");
    assertThat(PostgresUrl.parse("postgres://parley@[::1]:6543/db").connectOptions().getHost()).isEqualTo("::1");
  }

  @Test
  void sslmode_require_encrypts_or_fails_clearly_when_the_server_has_no_tls(Vertx vertx, VertxTestContext test)
      throws SQLException {
    JsonObject config = fresh("postgres");
    boolean serverTls;
    try (Connection connection = jdbc(config); ResultSet ssl = connection.createStatement().executeQuery("SHOW ssl")) {
      ssl.next();
      serverTls = "on".equals(ssl.getString(1));
    }
    String url = config.getString("url").replaceAll("\\?.*$", "") + "?sslmode=require";
    open(vertx, new JsonObject().put("url", url))
        .compose(database -> database.pool().query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").execute())
        .onComplete(result -> test.verify(() -> {
          if (serverTls) {
            assertThat(result.succeeded()).as("%s", result.cause()).isTrue();
            assertThat(result.result().iterator().next().getBoolean("ssl")).isTrue();
          } else {
            assertThat(result.failed()).isTrue();
            assertThat(result.cause().getMessage()).contains("PARLEY_DATABASE_URL").containsIgnoringCase("SSL");
          }
          test.completeNow();
        }));
  }

  private static List<String> migrations(Dialect dialect) throws URISyntaxException, java.io.IOException {
    String folder = dialect.migrationsLocation().substring("classpath:".length());
    Path path = Path.of(DatabaseTest.class.getClassLoader().getResource(folder).toURI());
    try (Stream<Path> files = Files.list(path)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static String stackTrace(Throwable failure) {
    StringWriter out = new StringWriter();
    failure.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
