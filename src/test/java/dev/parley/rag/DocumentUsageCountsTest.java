package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Knowledge;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bot's quota usage is kept by the database's triggers (migration V025) as its documents are added, resized and
 * deleted, whatever writes them, and is what counting its documents gives: checked behind the API after each change.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class DocumentUsageCountsTest {

  static final int MAX_DOCUMENTS = 3;
  static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("rag", new JsonObject().put("max_documents_per_bot", MAX_DOCUMENTS));
  }

  @Test
  void the_usage_row_follows_every_insert_resize_and_delete_and_goes_with_its_bot() throws Exception {
    String bot = Await.result(Knowledge.bot(app, new JsonObject())).getString("id");
    String other = Await.result(Knowledge.bot(app, new JsonObject())).getString("id");
    assertThat(usage(bot)).containsExactly(0, 0);
    try (Connection db = app.jdbc()) {
      insert(db, bot, "doc_u1", 100L);
      insert(db, bot, "doc_u2", 250L);
      insert(db, bot, "doc_u3", null);
      insert(db, other, "doc_u4", 7L);
      assertThat(usage(bot)).containsExactly(3, 350).isEqualTo(counted(bot));

      update(db, "UPDATE documents SET size_bytes = 400 WHERE id = 'doc_u3'");
      update(db, "UPDATE documents SET size_bytes = NULL WHERE id = 'doc_u1'");
      update(db, "UPDATE documents SET status = 'ready' WHERE bot_id = '" + bot + "'");
      assertThat(usage(bot)).containsExactly(3, 650).isEqualTo(counted(bot));

      update(db, "DELETE FROM documents WHERE id = 'doc_u2'");
      assertThat(usage(bot)).containsExactly(2, 400).isEqualTo(counted(bot));
      assertThat(usage(other)).containsExactly(1, 7).isEqualTo(counted(other));
    }

    assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/bots/" + bot).send()).statusCode()).isEqualTo(204);
    assertThat(app.count("SELECT COUNT(*) FROM bot_document_usage WHERE bot_id = '" + bot + "'")).isZero();
    assertThat(usage(other)).containsExactly(1, 7);
  }

  @Test
  void uploads_through_the_api_are_counted_as_the_quota_reads_them() throws Exception {
    String bot = Await.result(Knowledge.bot(app, new JsonObject())).getString("id");
    java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>();
    files.put("a.txt", Knowledge.utf8("Alpha text."));
    files.put("b.md", Knowledge.utf8("# B\nBeta text, a little longer."));
    assertThat(Await.result(Knowledge.uploadAll(app, bot, files)).statusCode()).isEqualTo(202);
    Await.result(Knowledge.until(app, bot, docs -> Knowledge.settled(docs, 2)));

    assertThat(usage(bot)).isEqualTo(counted(bot)).startsWith(2);
  }

  @Test
  void a_bot_without_a_usage_row_is_counted_so_its_quota_still_holds() throws Exception {
    String bot = Await.result(Knowledge.bot(app, new JsonObject())).getString("id");
    java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>();
    for (int i = 0; i < MAX_DOCUMENTS; i++) {
      files.put("f" + i + ".txt", Knowledge.utf8("File " + i + "."));
    }
    assertThat(Await.result(Knowledge.uploadAll(app, bot, files)).statusCode()).isEqualTo(202);
    try (Connection db = app.jdbc()) {
      update(db, "DELETE FROM bot_document_usage WHERE bot_id = '" + bot + "'");
    }

    var refused = Await.result(Knowledge.uploadAll(app, bot, java.util.Map.of("one-more.txt", Knowledge.utf8("More."))));

    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(409);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("quota_exceeded");
  }

  private static void insert(Connection db, String bot, String id, Long size) throws SQLException {
    try (PreparedStatement insert = db.prepareStatement("INSERT INTO documents (id, bot_id, name, source, size_bytes,"
        + " status, created_at, updated_at) VALUES (?, ?, ?, 'text', ?, 'pending', 1, 1)")) {
      insert.setString(1, id);
      insert.setString(2, bot);
      insert.setString(3, id + ".txt");
      if (size == null) {
        insert.setNull(4, java.sql.Types.BIGINT);
      } else {
        insert.setLong(4, size);
      }
      insert.executeUpdate();
    }
  }

  private static void update(Connection db, String sql) throws SQLException {
    try (PreparedStatement statement = db.prepareStatement(sql)) {
      statement.executeUpdate();
    }
  }

  /** {documents, bytes} as the usage row keeps them. */
  private static long[] usage(String bot) throws SQLException {
    return two("SELECT documents, bytes FROM bot_document_usage WHERE bot_id = '" + bot + "'");
  }

  /** {documents, bytes} counted from the bot's documents. */
  private static long[] counted(String bot) throws SQLException {
    return two("SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM documents WHERE bot_id = '" + bot + "'");
  }

  private static long[] two(String sql) throws SQLException {
    try (Connection db = app.jdbc(); ResultSet rows = db.createStatement().executeQuery(sql)) {
      assertThat(rows.next()).as(sql).isTrue();
      return new long[] {rows.getLong(1), rows.getLong(2)};
    }
  }
}
