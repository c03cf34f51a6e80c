package dev.parley.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.parley.db.Database;
import dev.parley.db.PostgresUrl;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.testing.TestApps;
import dev.parley.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL faults of the catalogue (security-reliability.md §3 I): Parley's connections terminated
 * under traffic (#89, with {@code pg_terminate_backend} from a second connection; the shared server is
 * never restarted), {@code synchronous_commit = off} (#91) and a migration that fails (#92). Each test runs Parley on a fresh database
 * of its own; the test thread waits for each step, so the JDBC steps can block.
 */
@ParleyTest(perTest = true)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StorageFaultsPostgresTest {

  private static String database(TestApps apps) {
    String name = TestPostgres.create();
    apps.afterwards(() -> TestPostgres.drop(name));
    return name;
  }

  private static TestApp start(TestApps apps, String database) {
    JsonObject overrides = new JsonObject().put("database", new JsonObject()
        .put("url", TestPostgres.url(database)).put("pool_size", 4));
    return Await.result(apps.start(apps.dataDir.resolve(database), overrides));
  }

  private static long count(Connection db, String sql) throws SQLException {
    try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static long messages(Connection db, String botId, String session) throws SQLException {
    try (PreparedStatement query = db.prepareStatement("SELECT count(*) FROM messages m JOIN conversations c "
        + "ON c.id = m.conversation_id WHERE c.bot_id = ? AND c.session_id = ?")) {
      query.setString(1, botId);
      query.setString(2, session);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  @Test
  void connections_terminated_under_traffic_give_clean_503s_then_the_pool_reconnects_and_nothing_is_duplicated(
      TestApps apps) throws Exception {
    String database = database(apps);
    TestApp app = start(apps, database);
    String botId = Await.result(Turns.openAiBot(app, new JsonObject()));
    assertThat(Await.result(Turns.json(app, botId, "before-drop-0001", "before")).status()).isEqualTo(200);

    int inFlight = 3;
    List<Future<Turns.Timed>> turns = new ArrayList<>();
    try (Connection locker = app.jdbc(); Connection monitor = app.jdbc()) {
      // Parley's message inserts wait behind this lock (reads do not): the turns stay in flight on Parley's
      // connections until those are terminated.
      locker.setAutoCommit(false);
      long lockerPid;
      try (Statement statement = locker.createStatement()) {
        statement.execute("LOCK TABLE messages IN EXCLUSIVE MODE");
        lockerPid = count(locker, "SELECT pg_backend_pid()");
      }
      for (int i = 0; i < inFlight; i++) {
        turns.add(Turns.json(app, botId, "dropped-000" + i, "in flight " + i));
      }
      String parleysBackends = "FROM pg_stat_activity WHERE datname = current_database() "
          + "AND pid <> pg_backend_pid() AND pid <> " + lockerPid;
      int terminated = 0;
      while (!turns.stream().allMatch(Future::isComplete)) {
        if (count(monitor, "SELECT count(*) " + parleysBackends + " AND wait_event_type = 'Lock'") > 0) {
          terminated += count(monitor, "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) " + parleysBackends);
        }
        Thread.sleep(20);
      }
      assertThat(terminated).as("Parley connections terminated").isPositive();
      locker.rollback();
    }

    for (Future<Turns.Timed> turn : turns) {
      HttpResponse<Buffer> response = turn.result().response();
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(503);
      assertThat(response.getHeader("Content-Type")).startsWith("application/json");
      assertThat(turn.result().errorCode()).isEqualTo("storage_unavailable");
      assertThat(response.bodyAsString()).doesNotContainIgnoringCase("sql").doesNotContainIgnoringCase("terminat")
          .doesNotContain("Exception").doesNotContain("io.vertx").doesNotContain("57P01")
          .doesNotContain(database);
    }

    // the pool reconnects by itself: a later turn is answered and stored, and a client retrying a failed
    // turn in its session stores it once
    Turns.Timed later = Await.result(Turns.json(app, botId, "after-drop-0001", "after"));
    assertThat(later.status()).as(later.response().bodyAsString()).isEqualTo(200);
    Turns.Timed retried = Await.result(Turns.json(app, botId, "dropped-0000", "in flight 0"));
    assertThat(retried.status()).as(retried.response().bodyAsString()).isEqualTo(200);
    try (Connection db = app.jdbc()) {
      assertThat(messages(db, botId, "before-drop-0001")).isEqualTo(2);
      assertThat(messages(db, botId, "after-drop-0001")).isEqualTo(2);
      assertThat(messages(db, botId, "dropped-0000")).isEqualTo(2);
      for (int i = 1; i < inFlight; i++) {
        assertThat(messages(db, botId, "dropped-000" + i)).isZero();
      }
      assertThat(count(db, "SELECT count(*) FROM messages")).isEqualTo(6);
    }
  }

  @Test
  void start_up_warns_when_postgresql_acknowledges_commits_before_they_are_durable(TestApps apps) throws Exception {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger log = (Logger) LoggerFactory.getLogger(Database.class);
    log.addAppender(logged);
    apps.afterwards(() -> log.detachAppender(logged));

    String durable = database(apps);
    start(apps, durable);
    assertThat(warnings(logged)).noneMatch(line -> line.contains("synchronous_commit"));

    String asynchronous = database(apps);
    try (Connection server = PostgresUrl.parse(TestPostgres.SERVER).dataSource().getConnection();
         Statement statement = server.createStatement()) {
      statement.execute("ALTER DATABASE " + asynchronous + " SET synchronous_commit = off");
    }
    start(apps, asynchronous);
    assertThat(warnings(logged)).anyMatch(line -> line.contains("synchronous_commit = off")
        && line.contains("/" + asynchronous));
  }

  @Test
  void a_migration_that_fails_stops_start_up_naming_the_database_and_is_rolled_back_whole(
      TestApps apps) throws Exception {
    String database = database(apps);
    PostgresUrl url = PostgresUrl.parse(TestPostgres.url(database));
    // a database at schema version 4, where someone made the index migration 5 creates, by hand
    Flyway.configure().dataSource(url.dataSource()).locations("classpath:db/postgres").target("4").load().migrate();
    try (Connection db = url.dataSource().getConnection(); Statement statement = db.createStatement()) {
      statement.executeUpdate("INSERT INTO bots (id, name, config, created_at, updated_at) "
          + "VALUES ('bot_manual', 'Manual', '{}', 1, 1)");
      statement.executeUpdate("INSERT INTO documents (id, bot_id, name, source, status, embedding_model, created_at, "
          + "updated_at) VALUES ('doc_pending', 'bot_manual', 'notes', 'text', 'pending', 'model-before', 1, 1)");
      statement.executeUpdate("CREATE INDEX documents_bot_model ON documents (bot_id)");
    }

    JsonObject overrides = new JsonObject().put("database", new JsonObject().put("url", TestPostgres.url(database)));
    Throwable failure = Await.failure(apps.start(overrides));
    assertThat(failure.getMessage()).contains("PostgreSQL database").contains("/" + database)
        .contains("V005__embedding_model_of_vectors").contains("documents_bot_model");

    try (Connection db = url.dataSource().getConnection()) {
      assertThat(count(db, "SELECT max(CAST(version AS INTEGER)) FROM flyway_schema_history WHERE success"))
          .isEqualTo(4);
      assertThat(count(db, "SELECT count(*) FROM flyway_schema_history WHERE NOT success")).isZero();
      // migration 5's first statement (clearing the model of pending documents) was rolled back with it
      assertThat(count(db, "SELECT count(*) FROM documents WHERE id = 'doc_pending' "
          + "AND embedding_model = 'model-before'")).isEqualTo(1);
    }
  }

  private static List<String> warnings(ListAppender<ILoggingEvent> logged) {
    synchronized (logged.list) {
      return logged.list.stream().filter(event -> event.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage).toList();
    }
  }
}
