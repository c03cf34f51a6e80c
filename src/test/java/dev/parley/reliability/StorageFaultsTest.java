package dev.parley.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.db.Database;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.testing.TestApps;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
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
import org.sqlite.SQLiteConfig;

/**
 * SQLite faults of the catalogue (security-reliability.md §3 I): a full database (#85), another
 * process holding the write lock past {@code busy_timeout} (#86), 50 concurrent writers (#87), a bot
 * and its key written together (#90), and an unusable database at start-up (#92). Each runs a whole
 * Parley on a SQLite file of its own; the test thread waits for each step, so the JDBC checks behind
 * the API can block.
 */
@ParleyTest(perTest = true)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StorageFaultsTest {

  /** SQLite's own default max_page_count: what "space is back" sets again. */
  private static final long NO_PAGE_LIMIT = 4_294_967_294L;
  private static final int BIG_MESSAGE_CHARS = 30_000;

  /**
   * Parley's own SQLite connection: its pool is shared by name within the Vert.x instance, so opening the
   * same database again hands out that one connection, where per-connection pragmas such as
   * {@code max_page_count} apply.
   */
  private static Database parleysConnection(TestApps apps, TestApp app) {
    Database database = Await.result(Database.open(apps.vertx, app.config.getJsonObject("database"),
        app.dataDir.toString()));
    apps.afterwards(() -> Await.result(database.close()));
    return database;
  }

  private static long pragma(Database database, String pragma) throws Exception {
    Row row = Await.result(database.pool().query("PRAGMA " + pragma).execute()).iterator().next();
    return row.getLong(0);
  }

  /** The file may not grow by a page any more: every insert that needs a new page fails with SQLITE_FULL. */
  private static void fill(Database parley) throws Exception {
    long pages = pragma(parley, "page_count");
    assertThat(pragma(parley, "max_page_count = " + pages)).isEqualTo(pages);
  }

  private static void makeRoom(Database parley) throws Exception {
    assertThat(pragma(parley, "max_page_count = " + NO_PAGE_LIMIT)).isGreaterThan(1_000_000L);
  }

  private static String bot(TestApp app) throws Exception {
    return Await.result(Turns.openAiBot(app, new JsonObject().put("max_message_chars", BIG_MESSAGE_CHARS)));
  }

  private static HttpResponse<Buffer> turn(TestApp app, String botId, String session, String message) throws Exception {
    return Await.result(Turns.json(app, botId, session, message)).response();
  }

  /** A clean JSON error: the status, the code, and nothing of SQL, SQLite, Java or the file system. */
  private static void cleanError(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
    assertThat(response.bodyAsString()).doesNotContainIgnoringCase("sqlite").doesNotContainIgnoringCase("sql")
        .doesNotContain("Exception").doesNotContain("org.").doesNotContain("/tmp").doesNotContain("parley.db");
  }

  private static List<String> contents(Connection db, String botId, String session) throws SQLException {
    try (PreparedStatement query = db.prepareStatement("SELECT m.content FROM messages m JOIN conversations c "
        + "ON c.id = m.conversation_id WHERE c.bot_id = ? AND c.session_id = ? ORDER BY m.seq")) {
      query.setString(1, botId);
      query.setString(2, session);
      List<String> contents = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          contents.add(rows.getString(1));
        }
      }
      return contents;
    }
  }

  private static long count(Connection db, String sql) throws SQLException {
    try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static String integrity(Connection db) throws SQLException {
    try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery("PRAGMA integrity_check")) {
      rows.next();
      return rows.getString(1);
    }
  }

  @Test
  void a_full_database_answers_503_storage_unavailable_keeps_its_data_and_takes_writes_again_once_there_is_room(
      TestApps apps) throws Exception {
    TestApp app = Await.result(apps.start());
    String botId = bot(app);
    assertThat(turn(app, botId, "before-full-0001", "stored before the disk filled").statusCode()).isEqualTo(200);
    Database parley = parleysConnection(apps, app);

    fill(parley);
    String big = "x".repeat(BIG_MESSAGE_CHARS);
    cleanError(turn(app, botId, "while-full-0001", big), 503, "storage_unavailable");
    cleanError(turn(app, botId, "while-full-0002", big), 503, "storage_unavailable");

    // the process is alive and serves what it holds
    assertThat(Await.result(app.client.get("/health/live").send()).statusCode()).isEqualTo(200);
    JsonArray before = Await.result(Turns.session(app, botId, "before-full-0001"));
    assertThat(before).hasSize(2);
    assertThat(before.getJsonObject(0).getString("content")).isEqualTo("stored before the disk filled");
    try (Connection db = app.jdbc()) {
      assertThat(integrity(db)).isEqualTo("ok");
      assertThat(contents(db, botId, "before-full-0001")).hasSize(2).first().isEqualTo("stored before the disk filled");
      assertThat(contents(db, botId, "while-full-0001")).isEmpty();
    }

    // room again, no restart: the same big turn is stored
    makeRoom(parley);
    HttpResponse<Buffer> after = turn(app, botId, "after-full-0001", big);
    assertThat(after.statusCode()).as(after.bodyAsString()).isEqualTo(200);
    try (Connection db = app.jdbc()) {
      assertThat(contents(db, botId, "after-full-0001")).hasSize(2).first().isEqualTo(big);
      assertThat(integrity(db)).isEqualTo("ok");
    }
  }

  @Test
  void a_bot_and_its_key_are_one_row_so_a_failed_create_leaves_neither(TestApps apps) throws Exception {
    TestApp app = Await.result(apps.start());
    // The key is a column of the bot's row (ciphertext and hint), written by one INSERT: no other table holds keys
    // (usage_daily's handoffs_keywords counts handoffs by trigger;
    // the accounts' email_key is a lower-cased email to look people up by, not a secret; bot_api_keys holds hashes of
    // the pk_ keys Parley hands API callers, not the provider's key).
    try (Connection db = app.jdbc()) {
      assertThat(count(db, "SELECT count(*) FROM sqlite_master m, pragma_table_info(m.name) c "
          + "WHERE m.type = 'table' AND c.name LIKE '%key%' AND c.name NOT IN ('email_key', 'handoffs_keywords') "
          + "AND m.name NOT IN ('bots', "
          + "'bot_api_keys')")).isZero();
    }
    Database parley = parleysConnection(apps, app);
    JsonObject bot = new JsonObject().put("name", "Keyed").put("provider", "openai")
        .put("api_key", "sk-atomic-create-0123456789").put("prompt", "p".repeat(19_000));

    fill(parley);
    HttpResponse<Buffer> refused = Await.result(app.admin(HttpMethod.POST, "/api/bots").sendJsonObject(bot));
    cleanError(refused, 503, "storage_unavailable");
    try (Connection db = app.jdbc()) {
      assertThat(count(db, "SELECT count(*) FROM bots")).isZero();
    }
    assertThat(Await.result(app.admin(HttpMethod.GET, "/api/bots").send()).bodyAsJsonObject().getJsonArray("bots"))
        .isEmpty();

    makeRoom(parley);
    String id = Await.result(app.createBot(bot)).getString("id");
    try (Connection db = app.jdbc();
         PreparedStatement query = db.prepareStatement("SELECT api_key_enc, api_key_hint FROM bots WHERE id = ?")) {
      query.setString(1, id);
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString(1)).isNotBlank().doesNotContain("sk-atomic-create");
        assertThat(row.getString(2)).isNotBlank();
      }
      assertThat(count(db, "SELECT count(*) FROM bots")).isEqualTo(1);
    }
  }

  @Test
  void a_write_lock_held_past_busy_timeout_fails_the_turn_with_503_instead_of_hanging_and_service_resumes_after(
      TestApps apps) throws Exception {
    long busyTimeoutMs = 300;
    TestApp app = Await.result(apps.start(new JsonObject().put("database", new JsonObject()
        .put("busy_timeout_ms", busyTimeoutMs))));
    String botId = bot(app);
    assertThat(turn(app, botId, "before-lock-0001", "before the lock").statusCode()).isEqualTo(200);
    Path file = app.dataDir.resolve("parley.db");

    SQLiteConfig exclusive = new SQLiteConfig();
    exclusive.setTransactionMode(SQLiteConfig.TransactionMode.EXCLUSIVE);
    try (Connection locker = exclusive.createConnection("jdbc:sqlite:" + file)) {
      locker.setAutoCommit(false);
      try (Statement statement = locker.createStatement()) {
        statement.executeUpdate("UPDATE bots SET updated_at = updated_at WHERE id = '" + botId + "'");
      }
      // the lock is really held: another writer that does not wait is refused
      try (Connection probe = DriverManager.getConnection("jdbc:sqlite:" + file);
           Statement statement = probe.createStatement()) {
        assertThatThrownBy(() -> statement.execute("BEGIN IMMEDIATE")).hasMessageContaining("SQLITE_BUSY");
      }

      long started = System.nanoTime();
      HttpResponse<Buffer> locked = turn(app, botId, "while-locked-0001", "while another process writes");
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      // 503 from the database, not 504 from the memory timeout (10 s): the turn did not hang on the lock
      cleanError(locked, 503, "storage_unavailable");
      assertThat(elapsedMs).as("the writer waited for the lock first").isGreaterThanOrEqualTo(busyTimeoutMs);
      // reads go on meanwhile (WAL)
      assertThat(Await.result(Turns.session(app, botId, "before-lock-0001"))).hasSize(2);
      locker.rollback();
    }

    HttpResponse<Buffer> after = turn(app, botId, "after-lock-0001", "after the lock");
    assertThat(after.statusCode()).as(after.bodyAsString()).isEqualTo(200);
    try (Connection db = app.jdbc()) {
      assertThat(contents(db, botId, "after-lock-0001")).hasSize(2).first().isEqualTo("after the lock");
      assertThat(contents(db, botId, "while-locked-0001")).isEmpty();
      assertThat(integrity(db)).isEqualTo("ok");
    }
  }

  @Test
  void fifty_concurrent_turns_are_all_answered_and_stored_without_a_busy_error(TestApps apps) throws Exception {
    TestApp app = Await.result(apps.start());
    String botId = bot(app);
    int turns = 50;
    // a connection per turn, so all 50 are in Parley at once
    WebClient client = WebClient.create(apps.vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(app.port), new PoolOptions().setHttp1MaxSize(turns));
    apps.afterwards(client::close);
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < turns; i++) {
      all.add(client.post("/api/chat/" + botId).sendJsonObject(new JsonObject().put("message", "message " + i)
          .put("session_id", String.format("concurrent-%04d", i))));
    }
    Await.result(Future.join(all));
    for (Future<HttpResponse<Buffer>> turn : all) {
      assertThat(turn.succeeded()).isTrue();
      assertThat(turn.result().statusCode()).as(turn.result().bodyAsString()).isEqualTo(200);
    }
    try (Connection db = app.jdbc()) {
      assertThat(count(db, "SELECT count(*) FROM messages WHERE bot_id = '" + botId + "'")).isEqualTo(2L * turns);
      assertThat(count(db, "SELECT count(*) FROM conversations WHERE bot_id = '" + botId + "'")).isEqualTo(turns);
      for (int i = 0; i < turns; i++) {
        assertThat(contents(db, botId, String.format("concurrent-%04d", i))).hasSize(2).first()
            .isEqualTo("message " + i);
      }
    }
  }

  @Test
  void a_file_that_is_no_database_stops_start_up_with_a_message_naming_it_and_is_left_as_it_was(TestApps apps)
      throws Exception {
    Path file = apps.dataDir.resolve("parley.db");
    byte[] garbage = "this is not a SQLite database, only text. ".repeat(200).getBytes(StandardCharsets.US_ASCII);
    Files.write(file, garbage);

    Throwable failure = Await.failure(apps.start());
    assertThat(failure.getMessage()).contains("SQLite database").contains(file.toString())
        .containsIgnoringCase("not a database");
    assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
  }

  @Test
  void a_migration_that_fails_stops_start_up_naming_the_database_and_is_rolled_back_whole(TestApps apps)
      throws Exception {
    Path file = apps.dataDir.resolve("parley.db");
    String url = "jdbc:sqlite:" + file;
    // a database at schema version 4, where someone made the index migration 5 creates, by hand
    Flyway.configure().dataSource(url, null, null).locations("classpath:db/sqlite").target("4").load().migrate();
    try (Connection db = DriverManager.getConnection(url); Statement statement = db.createStatement()) {
      statement.executeUpdate("INSERT INTO bots (id, name, config, created_at, updated_at) "
          + "VALUES ('bot_manual', 'Manual', '{}', 1, 1)");
      statement.executeUpdate("INSERT INTO documents (id, bot_id, name, source, status, embedding_model, created_at, "
          + "updated_at) VALUES ('doc_pending', 'bot_manual', 'notes', 'text', 'pending', 'model-before', 1, 1)");
      statement.executeUpdate("CREATE INDEX documents_bot_model ON documents (bot_id)");
    }

    Throwable failure = Await.failure(apps.start());
    assertThat(failure.getMessage()).contains("SQLite database").contains(file.toString())
        .contains("V005__embedding_model_of_vectors").contains("documents_bot_model");

    try (Connection db = DriverManager.getConnection(url)) {
      // Flyway's history: version 4 is the last applied, and no failed migration is recorded
      assertThat(count(db, "SELECT max(CAST(version AS INTEGER)) FROM flyway_schema_history WHERE success = 1"))
          .isEqualTo(4);
      assertThat(count(db, "SELECT count(*) FROM flyway_schema_history WHERE success = 0")).isZero();
      // migration 5's first statement (clearing the model of pending documents) was rolled back with it
      try (Statement statement = db.createStatement();
           ResultSet row = statement.executeQuery("SELECT embedding_model FROM documents WHERE id = 'doc_pending'")) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString(1)).isEqualTo("model-before");
      }
      assertThat(integrity(db)).isEqualTo("ok");
    }
  }

}
