package dev.parley.memory;

import dev.parley.common.Addresses;
import dev.parley.common.AuditClient;
import dev.parley.common.BotClient;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.StorageFailures;
import dev.parley.db.Database;
import dev.parley.db.Dialect;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention job: deletes every conversation (messages, feedback) whose last activity is older than its bot's
 * {@code retention_days}, {@value #BATCH} conversations per transaction, and forgets their cached history. The
 * day totals stay ({@link DailyUsage}). One run at a time per database: on PostgreSQL by a session advisory lock
 * held on one connection while the run lasts, whichever verticle instance or node tries (a run that finds it taken
 * skips: another one is deleting; a node that dies releases it with its connection); a SQLite database has a single
 * process, where a flag does the same. For each bot it deleted something
 * of, a run publishes {@code parley.events.retention.completed {bot_id, conversations, messages, before}} and records
 * {@code retention.run} in the audit log (actor {@code {kind: "system"}}, the counts as its changes). A run that
 * deleted nothing records nothing: the job runs hourly on every memory node and would otherwise flood the log.
 */
final class Retention {

  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
  /** The advisory lock's key: "parley.retention" folded into 64 bits, apart from any other lock of the database. */
  static final long LOCK_KEY = 0x7061_726c_6579_7274L;
  static final int BATCH = 500;
  private static final long DAY_MS = DailyUsage.DAY_MS;
  private static final Set<String> RUNNING = ConcurrentHashMap.newKeySet();

  private final Database database;
  private final BotClient bots;
  private final EventBus events;
  private final BiConsumer<String, String> forget;
  private final AuditClient audit;

  /** {@code forget}: told each deleted {@code (bot_id, session_id)}, for the history cache. */
  Retention(Database database, BotClient bots, EventBus events, BiConsumer<String, String> forget, AuditClient audit) {
    this.audit = audit;
    this.database = database;
    this.bots = bots;
    this.events = events;
    this.forget = forget;
  }

  /**
   * One run: {@code {ran: true, bots: [{bot_id, conversations, messages, before}]}}, or {@code {ran: false}} when a
   * run holds the database already (in this process or, on PostgreSQL, on another node).
   */
  Future<JsonObject> run() {
    if (database.dialect() == Dialect.POSTGRES) {
      return locked();
    }
    if (!RUNNING.add(database.name())) {
      return Future.succeededFuture(new JsonObject().put("ran", false));
    }
    return all().onComplete(done -> RUNNING.remove(database.name()));
  }

  private Future<JsonObject> locked() {
    return database.pool().getConnection().compose(connection -> connection
        .query("SELECT pg_try_advisory_lock(" + LOCK_KEY + ") AS locked").execute()
        .compose(rows -> {
          if (!rows.iterator().next().getBoolean("locked")) {
            return Future.succeededFuture(new JsonObject().put("ran", false));
          }
          return all().eventually(() -> unlock(connection));
        })
        .eventually(connection::close));
  }

  private static Future<Void> unlock(SqlConnection connection) {
    return connection.query("SELECT pg_advisory_unlock(" + LOCK_KEY + ")").execute().mapEmpty();
  }

  private Future<JsonObject> all() {
    String requestId = "retention-" + Ids.uuid();
    return bots.list(requestId).compose(list -> {
      JsonArray done = new JsonArray();
      Future<Void> chain = Future.succeededFuture();
      long now = System.currentTimeMillis();
      for (Object item : list) {
        JsonObject bot = (JsonObject) item;
        if (bot.getValue("retention_days") instanceof Number days) {
          long before = now - days.longValue() * DAY_MS;
          chain = chain.compose(v -> bot(bot.getString("id"), before).map(counts -> {
            if (counts.getLong("conversations") > 0) {
              done.add(counts);
              events.publish(Addresses.EVENTS_RETENTION_COMPLETED, counts);
              audited(requestId, counts);
              LOG.info("Retention deleted {} conversations ({} messages) of bot {} last active before {}",
                  counts.getLong("conversations"), counts.getLong(Fields.MESSAGES), counts.getString(Fields.BOT_ID), before);
            }
            return null;
          }));
        }
      }
      return chain.map(v -> new JsonObject().put("ran", true).put("bots", done));
    }).onFailure(failure -> LOG.error("The retention run failed: {}", StorageFailures.reason(failure)));
  }

  /** A failure to record is logged: the deletion has happened and must not be undone or retried for it. */
  private void audited(String requestId, JsonObject counts) {
    JsonObject entry = new JsonObject()
        .put("actor", new JsonObject().put("kind", "system"))
        .put("action", "retention.run")
        .put("target_type", "bot")
        .put("target_id", counts.getString(Fields.BOT_ID))
        .put(Fields.BOT_ID, counts.getString(Fields.BOT_ID))
        .put("request_id", requestId)
        .put("outcome", "success")
        .put("changes", counts.copy());
    audit.record(requestId, entry).onFailure(failure -> LOG.warn("[{}] The retention run of bot {} is not in the audit log: {}",
        requestId, counts.getString(Fields.BOT_ID), StorageFailures.reason(failure)));
  }

  /** Deletes the bot's conversations last active before {@code before}, a batch at a time. */
  private Future<JsonObject> bot(String botId, long before) {
    JsonObject counts = new JsonObject().put(Fields.BOT_ID, botId).put("conversations", 0L).put(Fields.MESSAGES, 0L)
        .put("before", before);
    return batches(botId, before, counts);
  }

  private Future<JsonObject> batches(String botId, long before, JsonObject counts) {
    return Templates.forQuery(database.pool(), MemorySql.EXPIRED)
        .execute(Map.of(Fields.BOT_ID, botId, "before", before, Fields.LIMIT, BATCH))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(counts);
          }
          List<String> ids = new ArrayList<>(rows.size());
          List<String> sessions = new ArrayList<>(rows.size());
          for (Row row : rows) {
            ids.add(row.getString("id"));
            sessions.add(row.getString(Fields.SESSION_ID));
          }
          return Deletions.delete(database, ids, before).compose(deleted -> {
            sessions.forEach(session -> forget.accept(botId, session));
            long conversations = deleted.getLong("conversations");
            counts.put("conversations", counts.getLong("conversations") + conversations)
                .put(Fields.MESSAGES, counts.getLong(Fields.MESSAGES) + deleted.getLong(Fields.MESSAGES));
            return rows.size() < BATCH || conversations == 0 ? Future.succeededFuture(counts)
                : batches(botId, before, counts);
          });
        });
  }
}
