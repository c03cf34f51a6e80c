package dev.parley.rag;

import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** A bot's stored answers in SQL ({@code bot_answers}); rows are mapped to the API's JSON shape here only. */
final class AnswerStore {

  /** A stored answer as matching needs it: its JSON and its cached vectors (null: none, or of another model). */
  record Stored(JsonObject answer, String vectors, String model) {
  }

  private final Database database;

  AnswerStore(Database database) {
    this.database = database;
  }

  Future<JsonArray> list(String botId) {
    return Templates.forQuery(database.pool(), AnswerSql.SELECT_BOT).execute(Map.of("bot_id", botId))
        .map(rows -> {
          JsonArray all = new JsonArray();
          rows.forEach(row -> all.add(toJson(row)));
          return all;
        });
  }

  Future<List<Stored>> withVectors(String botId) {
    return Templates.forQuery(database.pool(), AnswerSql.SELECT_VECTORS).execute(Map.of("bot_id", botId))
        .map(rows -> {
          List<Stored> all = new java.util.ArrayList<>();
          rows.forEach(row -> all.add(new Stored(toJson(row), row.getString("vectors"), row.getString("embedding_model"))));
          return all;
        });
  }

  Future<JsonObject> get(String botId, String id) {
    return Templates.forQuery(database.pool(), AnswerSql.SELECT_ONE).execute(Map.of("id", id, "bot_id", botId))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(ParleyException.notFound("Answer"))
            : Future.succeededFuture(toJson(rows.iterator().next())));
  }

  Future<Long> count(String botId) {
    return Templates.forQuery(database.pool(), AnswerSql.COUNT).execute(Map.of("bot_id", botId))
        .map(rows -> rows.iterator().next().getLong("n"));
  }

  /**
   * Inserts the rows in one transaction, unless the bot would then hold more than {@code max} answers: {@code full} is
   * the failure then and nothing is written. The count is taken under {@link Database#lockFor}, so writes sent at once
   * cannot pass the limit together.
   */
  Future<Void> write(String botId, long max, Supplier<ParleyException> full, List<Map<String, Object>> inserts) {
    return database.inTransaction(tx -> locked(tx, botId)
        .compose(locked -> Templates.forQuery(tx, AnswerSql.COUNT).execute(Map.of("bot_id", botId)))
        .compose(rows -> rows.iterator().next().getLong("n") + inserts.size() > max ? Future.failedFuture(full.get())
            : batch(tx, AnswerSql.INSERT, inserts)));
  }

  /**
   * Imports {@code rows} (each with a new id) in one transaction: a row whose question has the {@code key} of a stored
   * answer's replaces that answer (taking its id), the others are added, unless the bot would then hold more than
   * {@code max} answers ({@code full}, nothing written). The stored questions are read under the lock of
   * {@link #write}: an import sent twice at once had each decided from what was stored before either wrote, and stored
   * every question twice. {@code {created, updated, total}}.
   */
  Future<JsonObject> importRows(String botId, long max, Supplier<ParleyException> full, List<Map<String, Object>> rows,
      UnaryOperator<String> key) {
    return database.inTransaction(tx -> locked(tx, botId)
        .compose(locked -> Templates.forQuery(tx, AnswerSql.SELECT_BOT).execute(Map.of("bot_id", botId)))
        .compose(stored -> {
          Map<String, String> ids = new HashMap<>();
          stored.forEach(row -> ids.put(key.apply(row.getString("question")), row.getString("id")));
          List<Map<String, Object>> inserts = new ArrayList<>();
          List<Map<String, Object>> updates = new ArrayList<>();
          for (Map<String, Object> row : rows) {
            String id = ids.get(key.apply((String) row.get("question")));
            if (id == null) {
              inserts.add(row);
            } else {
              row.put("id", id);
              updates.add(row);
            }
          }
          if (stored.size() + inserts.size() > max) {
            return Future.failedFuture(full.get());
          }
          return batch(tx, AnswerSql.INSERT, inserts).compose(v -> batch(tx, AnswerSql.UPDATE, updates))
              .map(v -> new JsonObject().put("created", inserts.size()).put("updated", updates.size())
                  .put("total", stored.size() + inserts.size()));
        }));
  }

  private Future<Void> locked(SqlConnection tx, String botId) {
    return database.lockFor(tx, "bot_answers:" + botId);
  }

  /** Updates one answer; 404 when the bot has no such answer. */
  Future<Void> update(Map<String, Object> row) {
    return Templates.forUpdate(database.pool(), AnswerSql.UPDATE).execute(row).compose(done ->
        done.rowCount() == 0 ? Future.failedFuture(ParleyException.notFound("Answer")) : Future.succeededFuture());
  }

  Future<Void> setVectors(String botId, String id, String vectors, String model) {
    Map<String, Object> params = new HashMap<>();
    params.put("bot_id", botId);
    params.put("id", id);
    params.put("vectors", vectors);
    params.put("embedding_model", model);
    return Templates.forUpdate(database.pool(), AnswerSql.SET_VECTORS).execute(params).mapEmpty();
  }

  Future<Void> delete(String botId, String id) {
    return Templates.forUpdate(database.pool(), AnswerSql.DELETE).execute(Map.of("id", id, "bot_id", botId))
        .compose(done -> done.rowCount() == 0 ? Future.failedFuture(ParleyException.notFound("Answer"))
            : Future.succeededFuture());
  }

  private static Future<Void> batch(SqlConnection connection, String sql, List<Map<String, Object>> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<RowSet<Row>> done = Future.succeededFuture();
    for (Map<String, Object> row : rows) {
      done = done.compose(v -> Templates.forUpdate(connection, sql).execute(row).map(r -> null));
    }
    return done.mapEmpty();
  }

  private static JsonObject toJson(Row row) {
    String alts = row.getString("alt_questions");
    return new JsonObject()
        .put("id", row.getString("id"))
        .put("bot_id", row.getString("bot_id"))
        .put("question", row.getString("question"))
        .put("answer", row.getString("answer"))
        .put("alt_questions", alts == null || alts.isBlank() ? new JsonArray() : new JsonArray(alts))
        .put("created_at", row.getLong("created_at"))
        .put("updated_at", row.getLong("updated_at"));
  }
}
