package dev.parley.memory;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A bot's evaluation runs, stored: one {@code running} at a time per bot (a unique index; a second is 409
 * {@code evaluation_running}), the last {@value #KEPT} kept (older ones are deleted when a run starts), progress and
 * end written only while the run is {@code running}. The node that runs it writes a heartbeat while it does; a run
 * whose heartbeat stopped is marked {@code interrupted}: the process that ran it is gone (a run survives nothing).
 */
final class Evaluations {

  static final int KEPT = 50;
  static final Set<String> ENDS = Set.of("completed", "failed");

  private static final String SUMMARY_COLUMNS = "id, bot_id, status, created_at, finished_at, question_count, "
      + "done_count, error, settings, summary";
  static final String INSERT = "INSERT INTO evaluations (id, bot_id, status, created_at, heartbeat_at, question_count, "
      + "settings, questions) VALUES (#{id}, #{bot_id}, 'running', #{now}, #{now}, #{question_count}, #{settings}, "
      + "#{questions})";
  static final String PRUNE = "DELETE FROM evaluations WHERE bot_id = #{bot_id} AND status <> 'running' AND id NOT IN "
      + "(SELECT id FROM evaluations WHERE bot_id = #{bot_id} ORDER BY created_at DESC LIMIT " + KEPT + ")";
  static final String PROGRESS = "UPDATE evaluations SET done_count = #{done_count}, heartbeat_at = #{now} "
      + "WHERE id = #{id} AND status = 'running'";
  static final String HEARTBEAT = "UPDATE evaluations SET heartbeat_at = #{now} WHERE id = #{id} AND status = 'running'";
  static final String FINISH = "UPDATE evaluations SET status = #{status}, finished_at = #{now}, done_count = "
      + "#{done_count}, error = #{error}, summary = #{summary}, results = #{results} WHERE id = #{id} "
      + "AND status = 'running'";
  static final String INTERRUPT = "UPDATE evaluations SET status = 'interrupted', finished_at = #{now}, "
      + "error = 'The process running it stopped' WHERE status = 'running' "
      + "AND COALESCE(heartbeat_at, created_at) < #{stale_before}";
  static final String LIST = "SELECT " + SUMMARY_COLUMNS + " FROM evaluations WHERE bot_id = #{bot_id} "
      + "ORDER BY created_at DESC LIMIT " + KEPT;
  static final String GET = "SELECT " + SUMMARY_COLUMNS + ", results FROM evaluations WHERE bot_id = #{bot_id} "
      + "AND id = #{id}";

  private final Database database;

  Evaluations(Database database) {
    this.database = database;
  }

  /**
   * Marks {@code interrupted} the runs still {@code running} whose last heartbeat is older than {@code staleBefore}
   * (epoch ms; {@link Long#MAX_VALUE} for every running run); returns how many.
   */
  Future<Integer> interrupt(long staleBefore) {
    return Templates.forUpdate(database.pool(), INTERRUPT)
        .execute(Map.of("now", System.currentTimeMillis(), "stale_before", staleBefore)).map(rows -> rows.rowCount());
  }

  /** A running run's heartbeat; {@code updated} is false when it is no longer running. */
  Future<JsonObject> heartbeat(String id) {
    return Templates.forUpdate(database.pool(), HEARTBEAT).execute(Map.of(Fields.ID, id, "now", System.currentTimeMillis()))
        .map(rows -> new JsonObject().put("updated", rows.rowCount() > 0));
  }

  /** {@code {bot_id, eval_id, settings, questions}} → the run, {@code running}. */
  Future<JsonObject> create(String botId, String id, JsonObject settings, JsonArray questions) {
    Map<String, Object> params = new HashMap<>();
    params.put(Fields.ID, id);
    params.put(Fields.BOT_ID, botId);
    params.put("now", System.currentTimeMillis());
    params.put("question_count", questions.size());
    params.put("settings", settings.encode());
    params.put("questions", questions.encode());
    return database.inTransaction(tx -> Templates.forUpdate(tx, INSERT).execute(params)
            .compose(inserted -> Templates.forUpdate(tx, PRUNE).execute(params)))
        .recover(failure -> {
          if (Database.isUniqueViolation(failure)) {
            return Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT, "evaluation_running",
                "An evaluation of this bot is running; wait for it to end"));
          }
          if (Database.isForeignKeyViolation(failure)) {
            return Future.failedFuture(ParleyException.notFound("Bot"));
          }
          return Future.failedFuture(failure);
        })
        .compose(done -> get(botId, id));
  }

  Future<JsonObject> progress(String id, int done) {
    return Templates.forUpdate(database.pool(), PROGRESS)
        .execute(Map.of(Fields.ID, id, "done_count", done, "now", System.currentTimeMillis()))
        .map(rows -> new JsonObject().put("updated", rows.rowCount() > 0));
  }

  /** Ends a running run ({@code completed} or {@code failed}); {@code updated} is false when it was not running. */
  Future<JsonObject> finish(String id, String status, int done, String error, JsonObject summary, JsonArray results) {
    if (!ENDS.contains(status)) {
      throw ParleyException.invalid(Fields.STATUS, "'status' must be completed or failed");
    }
    Map<String, Object> params = new HashMap<>();
    params.put(Fields.ID, id);
    params.put(Fields.STATUS, status);
    params.put("now", System.currentTimeMillis());
    params.put("done_count", done);
    params.put(Fields.ERROR, error);
    params.put("summary", summary == null ? null : summary.encode());
    params.put("results", results == null ? null : results.encode());
    return Templates.forUpdate(database.pool(), FINISH).execute(params)
        .map(rows -> new JsonObject().put("updated", rows.rowCount() > 0));
  }

  /** {@code {evaluations: [run without results]}}, newest first. */
  Future<JsonObject> list(String botId) {
    return Templates.forQuery(database.pool(), LIST).execute(Map.of(Fields.BOT_ID, botId)).map(rows -> {
      JsonArray runs = new JsonArray();
      rows.forEach(row -> runs.add(run(row)));
      return new JsonObject().put("evaluations", runs);
    });
  }

  /** The run with its per-question {@code results}; 404 for a run the bot does not have. */
  Future<JsonObject> get(String botId, String id) {
    return Templates.forQuery(database.pool(), GET).execute(Map.of(Fields.BOT_ID, botId, Fields.ID, id)).map(rows -> {
      if (rows.size() == 0) {
        throw ParleyException.notFound("Evaluation");
      }
      Row row = rows.iterator().next();
      String results = row.getString("results");
      return run(row).put("results", results == null ? new JsonArray() : new JsonArray(results));
    });
  }

  private static JsonObject run(Row row) {
    String summary = row.getString("summary");
    return new JsonObject()
        .put(Fields.EVALUATION_ID, row.getString(Fields.ID))
        .put(Fields.BOT_ID, row.getString(Fields.BOT_ID))
        .put(Fields.STATUS, row.getString(Fields.STATUS))
        .put(Fields.CREATED_AT, row.getLong(Fields.CREATED_AT))
        .put("finished_at", row.getLong("finished_at"))
        .put("question_count", row.getInteger("question_count"))
        .put("done_count", row.getInteger("done_count"))
        .put(Fields.ERROR, row.getString(Fields.ERROR))
        .put("settings", new JsonObject(row.getString("settings")))
        .put("summary", summary == null ? null : new JsonObject(summary));
  }
}
