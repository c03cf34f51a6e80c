package dev.parley.memory;

import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import dev.parley.db.Statements;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbers of each bot's day ({@code usage_daily}), which outlive the messages they count: stored turns add
 * to them in their own transaction, a visitor's rating moves one count, and retention or an erasure deletes
 * messages without touching them. Stats and daily budgets read them.
 */
final class DailyUsage {

  static final long DAY_MS = 86_400_000L;

  private DailyUsage() {
  }

  /** Adds the message rows of a batch of turns ({@link MemorySql#INSERT_MESSAGE}'s parameters) to their days. */
  static Future<Void> add(Statements tx, List<Map<String, Object>> messages) {
    Map<String, Map<String, Object>> days = new LinkedHashMap<>();
    for (Map<String, Object> message : messages) {
      long day = (Long) message.get(Fields.CREATED_AT) / DAY_MS;
      String botId = (String) message.get(Fields.BOT_ID);
      Map<String, Object> row = days.computeIfAbsent(botId + '/' + day, key -> empty(botId, day));
      add(row, "turns", "user".equals(message.get(Fields.ROLE)) ? 1 : 0);
      add(row, Fields.INPUT_TOKENS, number(message.get(Fields.INPUT_TOKENS)).longValue());
      add(row, Fields.OUTPUT_TOKENS, number(message.get(Fields.OUTPUT_TOKENS)).longValue());
      row.put(Fields.COST, (Double) row.get(Fields.COST) + number(message.get(Fields.COST)).doubleValue());
      add(row, "errors", message.get(Fields.ERROR) == null ? 0 : 1);
      Object latency = message.get(Fields.LATENCY_MS);
      if (latency instanceof Number ms) {
        add(row, "latency_sum", ms.longValue());
        add(row, "latency_count", 1);
        Long max = (Long) row.get("max_latency_ms");
        row.put("max_latency_ms", max == null ? ms.longValue() : Math.max(max, ms.longValue()));
      }
    }
    return tx.batch(MemorySql.ADD_USAGE, new ArrayList<>(days.values()));
  }

  /**
   * Rates an answer the visitor still sees and moves the count of its day from the old rating to the new one, in
   * one transaction (the row is locked first, so two ratings at once count once each); 404 for any other message.
   */
  static Future<JsonObject> rate(Database database, String botId, String messageId, String rating, String comment) {
    Map<String, Object> params = new HashMap<>();
    params.put(Fields.BOT_ID, botId);
    params.put(Fields.MESSAGE_ID, messageId);
    params.put(Fields.RATING, rating);
    params.put(Fields.COMMENT, comment);
    return database.inTransaction(tx -> Templates.forUpdate(tx, MemorySql.LOCK_RATED).execute(params)
        .compose(locked -> Templates.forQuery(tx, MemorySql.RATED).execute(params))
        .compose(before -> Templates.forUpdate(tx, MemorySql.FEEDBACK).execute(params).compose(rated -> {
          if (rated.rowCount() == 0) {
            return Future.failedFuture(ParleyException.notFound("Message"));
          }
          Row row = before.iterator().next();
          String old = row.getString("feedback");
          Map<String, Object> move = new HashMap<>();
          move.put(Fields.BOT_ID, botId);
          move.put("day", row.getLong(Fields.CREATED_AT) / DAY_MS);
          move.put("up", ("up".equals(rating) ? 1 : 0) - ("up".equals(old) ? 1 : 0));
          move.put("down", ("down".equals(rating) ? 1 : 0) - ("down".equals(old) ? 1 : 0));
          return Templates.forUpdate(tx, MemorySql.MOVE_FEEDBACK).execute(move);
        })))
        .map(done -> new JsonObject().put(Fields.MESSAGE_ID, messageId).put(Fields.RATING, rating));
  }

  private static Map<String, Object> empty(String botId, long day) {
    Map<String, Object> row = new HashMap<>();
    row.put(Fields.BOT_ID, botId);
    row.put("day", day);
    for (String field : new String[] {"turns", Fields.INPUT_TOKENS, Fields.OUTPUT_TOKENS, "latency_sum", "latency_count",
        "errors"}) {
      row.put(field, 0L);
    }
    row.put(Fields.COST, 0.0);
    row.put("max_latency_ms", null);
    return row;
  }

  private static void add(Map<String, Object> row, String field, long value) {
    row.put(field, (Long) row.get(field) + value);
  }

  private static Number number(Object value) {
    return value instanceof Number n ? n : 0;
  }
}
