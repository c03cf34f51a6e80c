package dev.parley.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.AuditClient;
import dev.parley.common.Bus;
import dev.parley.common.ParleyException;
import dev.parley.common.Timeouts;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit log's storage over its bus addresses ({@code parley.audit.record} and {@code .query}) against the real
 * verticle and database: entries come back newest first with every field, filters narrow them, cursors page and
 * refuse tampering, bad entries and filters are 400, and the database itself refuses to change or remove an entry.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AuditLogTest {

  private static TestApp app;
  private static AuditClient audit;

  @BeforeAll
  static void client() {
    audit = new AuditClient(new Bus(app.vertx), Timeouts.from(null));
  }

  private static JsonObject entry(String action, String targetType, String targetId, JsonObject actor) {
    return new JsonObject().put("actor", actor).put("action", action).put("target_type", targetType)
        .put("target_id", targetId).put("bot_id", "bot_" + targetId).put("request_id", "req-" + targetId)
        .put("client_address", "203.0.113.7").put("status", 200).put("changes", new JsonObject().put("name", "New"));
  }

  private static JsonObject user(String id, String email) {
    return new JsonObject().put("kind", "user").put("user_id", id).put("email", email).put("role", "admin");
  }

  /**
   * Records the entries one after the other, each in a later millisecond than the one before (so their order is
   * known and the time filters can tell them apart), and answers them as stored.
   */
  private static Future<List<JsonObject>> recordAll(List<JsonObject> entries) {
    Future<List<JsonObject>> chain = Future.succeededFuture(new ArrayList<>());
    for (JsonObject entry : entries) {
      chain = chain.compose(stored -> nextMillisecond(stored).compose(ignored -> audit.record(null, entry)).map(one -> {
        stored.add(one);
        return stored;
      }));
    }
    return chain;
  }

  private static Future<Void> nextMillisecond(List<JsonObject> stored) {
    if (stored.isEmpty()) {
      return Future.succeededFuture();
    }
    long last = stored.get(stored.size() - 1).getLong("at");
    return Await.until(app.vertx, () -> System.currentTimeMillis() > last);
  }

  private static List<String> targets(JsonObject page) {
    return page.getJsonArray("entries").stream().map(e -> ((JsonObject) e).getString("target_id")).toList();
  }

  @Test
  void an_entry_is_stored_with_every_field_and_read_back(VertxTestContext test) {
    String target = "t" + UUID.randomUUID();
    JsonObject actor = user("usr_1", "Ann@Example.com");
    long before = System.currentTimeMillis();
    audit.record("req-1", entry("bot.update", "bot", target, actor)).compose(stored -> {
      assertThat(stored.getLong("id")).isPositive();
      assertThat(stored.getLong("at")).isBetween(before, System.currentTimeMillis());
      return audit.query(null, new JsonObject().put("target", target)).map(page -> {
        JsonArray entries = page.getJsonArray("entries");
        assertThat(entries).hasSize(1);
        JsonObject read = entries.getJsonObject(0);
        assertThat(read).isEqualTo(stored);
        assertThat(read.getJsonObject("actor")).isEqualTo(actor);
        assertThat(read.getString("action")).isEqualTo("bot.update");
        assertThat(read.getString("target_type")).isEqualTo("bot");
        assertThat(read.getString("bot_id")).isEqualTo("bot_" + target);
        assertThat(read.getString("request_id")).isEqualTo("req-" + target);
        assertThat(read.getString("client_address")).isEqualTo("203.0.113.7");
        assertThat(read.getInteger("status")).isEqualTo(200);
        assertThat(read.getString("outcome")).isEqualTo("success");
        assertThat(read.getJsonObject("changes")).isEqualTo(new JsonObject().put("name", "New"));
        assertThat(page.getValue("next_cursor")).isNull();
        return page;
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void filters_narrow_the_entries_and_the_newest_come_first(VertxTestContext test) {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String ann = "usr_ann_" + run;
    String bob = "usr_bob_" + run;
    List<JsonObject> entries = List.of(
        entry("bot.create", "bot", "a" + run, user(ann, "ann." + run + "@example.com")),
        entry("bot.update", "bot", "a" + run, user(bob, "bob." + run + "@example.com")),
        entry("document.create", "document", "d" + run, user(ann, "ann." + run + "@example.com")),
        entry("bot_x.update", "bot_x", "x" + run, new JsonObject().put("kind", "token").put("token_id", "tok_" + run)
            .put("role", "editor")));
    recordAll(entries).compose(stored -> Future.all(List.of(
        audit.query(null, new JsonObject().put("actor", ann)),
        audit.query(null, new JsonObject().put("actor", "BOB." + run + "@EXAMPLE.com")),
        audit.query(null, new JsonObject().put("actor", "tok_" + run)),
        audit.query(null, new JsonObject().put("actor", ann).put("action", "bot.*")),
        audit.query(null, new JsonObject().put("target", "a" + run)),
        audit.query(null, new JsonObject().put("target", "document:d" + run)),
        audit.query(null, new JsonObject().put("target", "bot:d" + run)),
        audit.query(null, new JsonObject().put("bot_id", "bot_a" + run)),
        audit.query(null, new JsonObject().put("actor", ann).put("since", stored.get(2).getLong("at"))),
        audit.query(null, new JsonObject().put("actor", bob).put("until", stored.get(1).getLong("at"))),
        audit.query(null, new JsonObject().put("actor", "tok_" + run).put("action", "bot.*")))).map(all -> {
          assertThat(targets(all.resultAt(0))).containsExactly("d" + run, "a" + run);
          assertThat(targets(all.resultAt(1))).containsExactly("a" + run);
          assertThat(targets(all.resultAt(2))).containsExactly("x" + run);
          assertThat(targets(all.resultAt(3))).containsExactly("a" + run);
          assertThat(targets(all.resultAt(4))).containsExactly("a" + run, "a" + run);
          assertThat(targets(all.resultAt(5))).containsExactly("d" + run);
          assertThat(targets(all.resultAt(6))).isEmpty();
          assertThat(targets(all.resultAt(7))).hasSize(2);
          assertThat(targets(all.resultAt(8))).containsExactly("d" + run);
          assertThat(targets(all.resultAt(9))).isEmpty();
          // "bot.*" is a prefix of names, and '_' is no wildcard: bot_x.update is not a bot action
          assertThat(targets(all.resultAt(10))).isEmpty();
          return all;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_cursor_pages_through_every_entry_once_and_refuses_tampering(VertxTestContext test) {
    String actor = "usr_pager_" + UUID.randomUUID();
    List<JsonObject> entries = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      entries.add(entry("bot.update", "bot", "p" + i, user(actor, null)));
    }
    JsonObject filters = new JsonObject().put("actor", actor).put("limit", 2);
    recordAll(entries)
        .compose(stored -> audit.query(null, filters))
        .compose(first -> {
          assertThat(targets(first)).containsExactly("p4", "p3");
          String cursor = first.getString("next_cursor");
          assertThat(cursor).isNotBlank().doesNotContain(actor);
          return audit.query(null, filters.copy().put("cursor", cursor))
              .compose(second -> {
                assertThat(targets(second)).containsExactly("p2", "p1");
                return audit.query(null, filters.copy().put("limit", 50).put("cursor", second.getString("next_cursor")));
              })
              .compose(last -> {
                assertThat(targets(last)).containsExactly("p0");
                assertThat(last.getValue("next_cursor")).isNull();
                return refused(filters.copy().put("cursor", tamper(cursor)), "invalid_cursor")
                    .compose(v -> refused(filters.copy().put("cursor", cursor.substring(1)), "invalid_cursor"))
                    .compose(v -> refused(filters.copy().put("cursor", "not a cursor!"), "invalid_cursor"))
                    // a cursor is bound to its filters: it cannot be moved to another query
                    .compose(v -> refused(new JsonObject().put("cursor", cursor), "invalid_cursor"));
              });
        })
        .onComplete(test.succeedingThenComplete());
  }

  private static String tamper(String cursor) {
    char[] chars = cursor.toCharArray();
    chars[3] = chars[3] == 'A' ? 'B' : 'A';
    return new String(chars);
  }

  @Test
  void bad_filters_and_bad_entries_are_refused(VertxTestContext test) {
    refused(new JsonObject().put("limit", 0), "invalid_parameter")
        .compose(v -> refused(new JsonObject().put("limit", 201), "invalid_parameter"))
        .compose(v -> refused(new JsonObject().put("limit", "10"), "invalid_parameter"))
        .compose(v -> refused(new JsonObject().put("action", "bot.*.update"), "invalid_parameter"))
        .compose(v -> refused(new JsonObject().put("action", "BOT' OR 1=1"), "invalid_parameter"))
        .compose(v -> refused(new JsonObject().put("since", -1), "invalid_parameter"))
        .compose(v -> refused(new JsonObject().put("since", 20).put("until", 10), "invalid_parameter"))
        .compose(v -> refused(new JsonObject().put("actor", "x".repeat(321)), "invalid_parameter"))
        .compose(v -> rejected(new JsonObject().put("action", "bot.update")))
        .compose(v -> rejected(new JsonObject().put("actor", new JsonObject().put("kind", "user"))))
        .compose(v -> rejected(entry("Bot Update", "bot", "z", user("u", null))))
        .compose(v -> rejected(entry("bot.update", "bot", "z", user("u", null)).put("status", 42)))
        .compose(v -> rejected(entry("bot.update", "bot", "z", user("u", null)).put("outcome", "maybe")))
        .compose(v -> rejected(entry("bot.update", "bot", "z", user("u", null))
            .put("changes", new JsonObject().put("text", "x".repeat(AuditLog.MAX_CHANGES_CHARS)))))
        .onComplete(test.succeedingThenComplete());
  }

  private static Future<Void> refused(JsonObject filters, String code) {
    return audit.query(null, filters).transform(result -> {
      assertThat(result.failed()).as("query %s answered %s", filters, result.result()).isTrue();
      ParleyException failure = (ParleyException) result.cause();
      assertThat(failure.status()).isEqualTo(400);
      assertThat(failure.code()).isEqualTo(code);
      return Future.succeededFuture();
    });
  }

  private static Future<Void> rejected(JsonObject entry) {
    return audit.record(null, entry).transform(result -> {
      assertThat(result.failed()).as("entry %s stored", entry).isTrue();
      ParleyException failure = (ParleyException) result.cause();
      assertThat(failure.status()).isEqualTo(400);
      assertThat(failure.code()).isEqualTo("invalid_entry");
      return Future.succeededFuture();
    });
  }

  @Test
  void the_database_refuses_to_change_or_remove_an_entry(VertxTestContext test) {
    audit.record(null, entry("bot.delete", "bot", "kept", user("u", null)))
        .compose(stored -> app.vertx.executeBlocking(() -> {
          long id = stored.getLong("id");
          List<String> refusals = new ArrayList<>();
          for (String sql : List.of("UPDATE audit_log SET action = 'bot.read' WHERE id = " + id,
              "DELETE FROM audit_log WHERE id = " + id, "DELETE FROM audit_log")) {
            try (Connection connection = app.jdbc(); Statement statement = connection.createStatement()) {
              statement.executeUpdate(sql);
            } catch (SQLException refused) {
              refusals.add(refused.getMessage());
            }
          }
          assertThat(refusals).hasSize(3).allMatch(message -> message.contains("append-only"));
          assertThat(app.count("SELECT COUNT(*) FROM audit_log WHERE id = " + id + " AND action = 'bot.delete'"))
              .isEqualTo(1);
          return null;
        }))
        .onComplete(test.succeedingThenComplete());
  }
}
