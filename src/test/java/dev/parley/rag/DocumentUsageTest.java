package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.db.Database;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reads of a bot's documents that a large knowledge base makes often, on SQLite (the default database): the quota
 * usage of every upload, and the Knowledge tab's counts and polls.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class DocumentUsageTest {

  @TempDir
  Path dataDir;

  @Test
  void a_bots_usage_is_one_row_read_by_its_key_without_visiting_its_documents(Vertx vertx, VertxTestContext test) {
    plan(vertx, DocumentSql.USAGE, List.of("SEARCH bot_document_usage USING INDEX sqlite_autoindex_bot_document_usage_1 "
        + "(bot_id=?)"), test);
  }

  @Test
  void a_bots_counts_by_status_are_read_from_an_index_without_visiting_its_documents_rows(Vertx vertx,
      VertxTestContext test) {
    plan(vertx, DocumentSql.COUNT_BY_STATUS,
        List.of("SEARCH documents USING COVERING INDEX documents_bot_status (bot_id=?)"), test);
  }

  @Test
  void the_documents_changed_since_a_time_are_found_by_an_index(Vertx vertx, VertxTestContext test) {
    String sql = new DocumentQuery(List.of(), null, 5L, 100, false, 0, null).sql("bot_x", dev.parley.db.Dialect.SQLITE, new java.util.HashMap<>());
    plan(vertx, sql.replace("#{bot_id}", "'bot_x'").replace("#{updated_since}", "5").replace("#{limit}", "101"),
        List.of("SEARCH documents USING INDEX documents_bot_updated (bot_id=? AND updated_at>?)",
            "USE TEMP B-TREE FOR ORDER BY"), test);
  }

  @Test
  void a_page_of_the_newest_documents_is_read_in_index_order_without_sorting_the_bots_documents(Vertx vertx,
      VertxTestContext test) {
    String sql = new DocumentQuery(List.of(), null, null, 100, true, 5, "doc_x").sql("bot_x", dev.parley.db.Dialect.SQLITE, new java.util.HashMap<>());
    plan(vertx, sql.replace("#{after_created}", "5").replace("#{after_id}", "'doc_x'").replace("#{limit}", "101"),
        List.of("SEARCH documents USING INDEX documents_bot_order (bot_id=? AND (created_at,id)<(?,?))"), test);
  }

  private void plan(Vertx vertx, String template, List<String> expected, VertxTestContext test) {
    String explain = "EXPLAIN QUERY PLAN " + template.replace("#{bot_id}", "'bot_x'");
    Database.open(vertx, new JsonObject().put("file", "parley.db"), dataDir.toString())
        .compose(database -> database.pool().query(explain).execute()
            .eventually(() -> database.close()))
        .onComplete(test.succeeding(rows -> test.verify(() -> {
          List<String> plan = new ArrayList<>();
          for (Row row : rows) {
            plan.add(row.getString("detail"));
          }
          assertThat(plan).containsExactlyElementsOf(expected);
          test.completeNow();
        })));
  }
}
