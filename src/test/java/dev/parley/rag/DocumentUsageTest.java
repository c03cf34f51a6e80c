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

/** The quota usage read of every upload ({@link DocumentSql#USAGE}) on SQLite, the default database. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class DocumentUsageTest {

  @TempDir
  Path dataDir;

  @Test
  void a_bots_usage_is_read_from_an_index_without_visiting_its_documents_rows(Vertx vertx, VertxTestContext test) {
    String explain = "EXPLAIN QUERY PLAN " + DocumentSql.USAGE.replace("#{bot_id}", "'bot_x'");
    Database.open(vertx, new JsonObject().put("file", "parley.db"), dataDir.toString())
        .compose(database -> database.pool().query(explain).execute()
            .eventually(() -> database.close()))
        .onComplete(test.succeeding(rows -> test.verify(() -> {
          List<String> plan = new ArrayList<>();
          for (Row row : rows) {
            plan.add(row.getString("detail"));
          }
          assertThat(plan).containsExactly("SEARCH documents USING COVERING INDEX documents_bot_size (bot_id=?)");
          test.completeNow();
        })));
  }
}
