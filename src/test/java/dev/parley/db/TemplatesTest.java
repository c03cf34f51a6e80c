package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Templates parsed once: the same statements and rows as the library's own templates, in both dialects. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class TemplatesTest {

  private static final String CREATE = "CREATE TABLE pairs (k TEXT PRIMARY KEY, a BIGINT, b BIGINT)";
  private static final String INSERT = "INSERT INTO pairs (k, a, b) VALUES (#{k}, #{a}, #{b})";
  /** A name used twice and a literal "#" that is no parameter. */
  private static final String SELECT = "SELECT k, a, b, '\\#{x}' AS literal FROM pairs WHERE a >= #{min} AND b >= #{min} ORDER BY k";

  @TempDir
  Path dataDir;

  @RegisterExtension
  final OpenedDatabases databases = new OpenedDatabases(() -> dataDir);

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void a_kept_template_runs_the_same_statements_and_reads_the_same_rows_as_the_librarys(String kind, Vertx vertx)
      throws Exception {
    SqlClient pool = open(vertx, kind).pool();
    await(pool.query(CREATE).execute());
    List<Map<String, Object>> rows = List.of(Map.of("k", "x", "a", 1L, "b", 5L), Map.of("k", "y", "a", 3L, "b", 2L),
        Map.of("k", "z", "a", 4L, "b", 9L));
    await(Templates.forUpdate(pool, INSERT).executeBatch(rows));

    for (int i = 0; i < 3; i++) {
      RowSet<Row> kept = await(Templates.forQuery(pool, SELECT).execute(Map.of("min", 3L)));
      RowSet<Row> library = await(SqlTemplate.forQuery(pool, SELECT).execute(Map.of("min", 3L)));
      assertThat(json(kept)).isEqualTo(json(library))
          .containsExactly(new JsonObject().put("k", "z").put("a", 4L).put("b", 9L).put("literal", "#{x}"));
    }
    assertThat(await(Templates.forUpdate(pool, "DELETE FROM pairs WHERE k = #{k}").execute(Map.of("k", "x")))
        .rowCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite"})
  void a_text_is_parsed_once_per_driver_and_no_more_texts_are_kept_than_the_bound(String kind, Vertx vertx)
      throws Exception {
    SqlClient pool = open(vertx, kind).pool();
    String text = "SELECT #{one} AS one -- kept once " + System.nanoTime();
    String tag = " -- " + System.nanoTime();
    int before = Templates.size();
    for (int i = 0; i < 5; i++) {
      assertThat(await(Templates.forQuery(pool, text).execute(Map.of("one", 1L))).iterator().next().getLong("one"))
          .isEqualTo(1L);
    }
    assertThat(Templates.size()).isEqualTo(before + 1);

    for (int i = 0; i < Templates.MAX + 50; i++) {
      Templates.forQuery(pool, "SELECT #{n} AS n -- " + i + tag);
    }
    assertThat(Templates.size()).isEqualTo(Templates.MAX);
    String past = "SELECT #{n} AS n -- past the bound" + tag;
    assertThat(await(Templates.forQuery(pool, past).execute(Map.of("n", 7L))).iterator().next().getLong("n"))
        .isEqualTo(7L);
    assertThat(Templates.size()).isEqualTo(Templates.MAX);
  }

  private Database open(Vertx vertx, String kind) throws Exception {
    return await(databases.open(vertx, databases.fresh(kind)));
  }

  private static List<JsonObject> json(RowSet<Row> rows) {
    List<JsonObject> all = new ArrayList<>();
    rows.forEach(row -> all.add(row.toJson()));
    return all;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
