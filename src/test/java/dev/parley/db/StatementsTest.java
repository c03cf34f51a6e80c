package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Database#inStatements}: one transaction, on SQLite in one worker hop straight on the JDBC connection. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class StatementsTest {

  private static final String INSERT_BOT = "INSERT INTO bots (id, name, config, created_at, updated_at) "
      + "VALUES (#{id}, #{name}, '{}', #{now}, #{now})";
  private static final String BOTS = "SELECT id, name, created_at FROM bots WHERE name = #{name} ORDER BY id";

  @TempDir
  Path dataDir;

  @RegisterExtension
  final OpenedDatabases databases = new OpenedDatabases(() -> dataDir);

  private static Map<String, Object> bot(String id) {
    return Map.of("id", id, "name", "batch", "now", 1_700_000_000_000L);
  }

  private static Future<List<String>> ids(Database database) {
    return Templates.forQuery(database.pool(), "SELECT id FROM bots ORDER BY id").execute(Map.of()).map(rows -> {
      List<String> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getString("id")));
      return ids;
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void a_transaction_reads_its_own_batch_and_commits_it_for_every_later_reader(String kind, Vertx vertx,
      VertxTestContext test) {
    databases.open(vertx, databases.fresh(kind))
        .compose(database -> database.inStatements(tx -> tx.batch(INSERT_BOT, List.of(bot("b1"), bot("b2"), bot("b3")))
                .compose(inserted -> tx.query(BOTS, Map.of("name", "batch"))))
            .compose(rows -> {
              test.verify(() -> {
                assertThat(rows).extracting(row -> row.getString("id")).containsExactly("b1", "b2", "b3");
                assertThat(rows.get(0).getLong("created_at")).isEqualTo(1_700_000_000_000L);
              });
              // a plain statement afterwards is committed on its own: the connection is back in auto-commit
              return Templates.forUpdate(database.pool(), INSERT_BOT).execute(bot("b4"));
            })
            .compose(plain -> ids(database)))
        .onComplete(test.succeeding(ids -> test.verify(() -> {
          assertThat(ids).containsExactly("b1", "b2", "b3", "b4");
          test.completeNow();
        })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void a_failing_statement_leaves_nothing_of_its_transaction(String kind, Vertx vertx, VertxTestContext test) {
    databases.open(vertx, databases.fresh(kind)).compose(database -> database
            .inStatements(tx -> tx.batch(INSERT_BOT, List.of(bot("b1"), bot("b2")))
                .compose(inserted -> tx.batch(INSERT_BOT, List.of(bot("b3"), bot("b1")))))
            .transform(done -> {
              test.verify(() -> {
                assertThat(done.failed()).isTrue();
                assertThat(Database.isUniqueViolation(done.cause())).as("%s", done.cause()).isTrue();
              });
              return ids(database);
            }))
        .onComplete(test.succeeding(ids -> test.verify(() -> {
          assertThat(ids).isEmpty();
          test.completeNow();
        })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void work_that_throws_is_rolled_back_and_its_failure_answered(String kind, Vertx vertx, VertxTestContext test) {
    IllegalArgumentException thrown = new IllegalArgumentException("thrown on purpose");
    databases.open(vertx, databases.fresh(kind)).compose(database -> database
            .<Void>inStatements(tx -> tx.batch(INSERT_BOT, List.of(bot("b1"))).map(inserted -> {
              throw thrown;
            }))
            .transform(done -> {
              test.verify(() -> assertThat(done.cause()).isSameAs(thrown));
              return ids(database);
            }))
        .onComplete(test.succeeding(ids -> test.verify(() -> {
          assertThat(ids).isEmpty();
          test.completeNow();
        })));
  }

  /**
   * The worker thread cannot wait for the event loop; such work fails whole, the connection serves again, and what the
   * work does once its wait is over is refused (it would write outside any transaction).
   */
  @Test
  void on_sqlite_work_that_waits_for_something_else_fails_and_writes_nothing(Vertx vertx, VertxTestContext test) {
    Promise<Void> later = Promise.promise();
    Promise<Void> afterTheWait = Promise.promise();
    databases.open(vertx, databases.fresh("sqlite")).compose(database -> database
            .inStatements(tx -> tx.batch(INSERT_BOT, List.of(bot("b1"))).compose(inserted -> later.future())
                .compose(waited -> tx.batch(INSERT_BOT, List.of(bot("b3"))).onComplete(afterTheWait)))
            .transform(done -> {
              test.verify(() -> assertThat(done.cause()).isInstanceOf(IllegalStateException.class)
                  .hasMessageContaining("waited"));
              later.complete();
              return afterTheWait.future().transform(late -> {
                test.verify(() -> assertThat(late.cause()).hasMessageContaining("ended"));
                return database.inStatements(tx -> tx.batch(INSERT_BOT, List.of(bot("b2"))));
              });
            })
            .compose(next -> ids(database)))
        .onComplete(test.succeeding(ids -> test.verify(() -> {
          assertThat(ids).containsExactly("b2");
          test.completeNow();
        })));
  }

  /** An {@code Error} as well: a connection left inside the transaction would keep every later write uncommitted. */
  @Test
  void on_sqlite_work_that_throws_an_error_is_rolled_back_and_later_writes_are_committed(Vertx vertx,
      VertxTestContext test) {
    JsonObject config = databases.fresh("sqlite");
    databases.open(vertx, config).compose(database -> database
            .<Void>inStatements(tx -> tx.batch(INSERT_BOT, List.of(bot("b1"))).map(inserted -> {
              throw new AssertionError("an error on purpose");
            }))
            .transform(done -> {
              test.verify(() -> assertThat(done.cause()).isInstanceOf(AssertionError.class));
              return Templates.forUpdate(database.pool(), INSERT_BOT).execute(bot("b2"));
            })
            .compose(plain -> database.inStatements(tx -> tx.batch(INSERT_BOT, List.of(bot("b3"))))))
        .compose(written -> vertx.executeBlocking(() -> {
          // read by another connection: only what was committed
          List<String> ids = new ArrayList<>();
          try (java.sql.Connection other = java.sql.DriverManager.getConnection("jdbc:sqlite:"
              + dataDir.resolve(config.getString("file")));
               java.sql.ResultSet rows = other.createStatement().executeQuery("SELECT id FROM bots ORDER BY id")) {
            while (rows.next()) {
              ids.add(rows.getString(1));
            }
          }
          return ids;
        }))
        .onComplete(test.succeeding(ids -> test.verify(() -> {
          assertThat(ids).containsExactly("b2", "b3");
          test.completeNow();
        })));
  }

  @Test
  void a_template_names_its_parameters_in_order_with_a_question_mark_each(Vertx vertx, VertxTestContext test) {
    databases.open(vertx, databases.fresh("sqlite")).onComplete(test.succeeding(database -> test.verify(() -> {
      io.vertx.sqlclient.templates.impl.SqlTemplate parsed = Templates.parsed(database.pool(),
          "UPDATE t SET a = #{a}, b = #{b} WHERE a <> #{a} AND c = 'x'");
      assertThat(parsed.getSql()).isEqualTo("UPDATE t SET a = ?, b = ? WHERE a <> ? AND c = 'x'");
      io.vertx.sqlclient.Tuple bound = parsed.mapTuple(Map.of("a", "A", "b", "B"));
      assertThat(List.of(bound.getValue(0), bound.getValue(1), bound.getValue(2))).containsExactly("A", "B", "A");
      assertThat(Templates.parsed(database.pool(), "SELECT 1").numberOfParams()).isZero();
      test.completeNow();
    })));
  }
}
