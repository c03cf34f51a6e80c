package dev.parley.memory;

import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

/** Conversations and messages: history for a turn, session views, logs, feedback and usage. */
final class MemoryService {

  private static final int MAX_SESSION_MESSAGES = 1_000;
  private static final long DAY_MS = 86_400_000L;

  private final Pool writer;
  private final Pool reader;
  private final TurnWriter turns;

  MemoryService(Database database) {
    this.writer = database.writer();
    this.reader = database.reader();
    this.turns = new TurnWriter(database);
  }

  Future<JsonObject> history(String botId, String sessionId, int limit) {
    return SqlTemplate.forQuery(reader, MemorySql.HISTORY)
        .execute(Map.of(Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId, Fields.LIMIT, Math.min(limit, 500)))
        .map(rows -> {
          JsonArray newestFirst = new JsonArray();
          for (Row row : rows) {
            newestFirst.add(new JsonObject().put(Fields.ROLE, row.getString("role")).put(Fields.CONTENT, row.getString("content")));
          }
          JsonArray messages = new JsonArray();
          for (int i = newestFirst.size() - 1; i >= 0; i--) {
            messages.add(newestFirst.getValue(i));
          }
          return new JsonObject().put(Fields.MESSAGES, messages);
        });
  }

  Future<JsonObject> append(JsonObject turn) {
    JsonObject user = turn.getJsonObject(Fields.USER);
    if (user == null || user.getString(Fields.CONTENT) == null) {
      return Future.failedFuture(ParleyException.badRequest("invalid_turn", "A turn needs user.content"));
    }
    return turns.append(turn);
  }

  Future<JsonObject> sessionMessages(String botId, String sessionId) {
    return SqlTemplate.forQuery(reader, MemorySql.SESSION_MESSAGES)
        .execute(Map.of(Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId, Fields.LIMIT, MAX_SESSION_MESSAGES))
        .map(rows -> new JsonObject().put(Fields.SESSION_ID, sessionId).put(Fields.MESSAGES, messages(rows)));
  }

  Future<JsonObject> clear(String botId, String sessionId) {
    return SqlTemplate.forUpdate(writer, MemorySql.DELETE_SESSION)
        .execute(Map.of(Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId))
        .map(result -> new JsonObject().put("cleared", result.rowCount() > 0));
  }

  Future<JsonObject> feedback(String botId, String messageId, String rating, String comment) {
    Map<String, Object> params = new HashMap<>();
    params.put(Fields.BOT_ID, botId);
    params.put(Fields.MESSAGE_ID, messageId);
    params.put(Fields.RATING, rating);
    params.put(Fields.COMMENT, comment);
    return SqlTemplate.forUpdate(writer, MemorySql.FEEDBACK).execute(params).compose(result -> result.rowCount() == 0
        ? Future.failedFuture(ParleyException.notFound("Message"))
        : Future.succeededFuture(new JsonObject().put(Fields.MESSAGE_ID, messageId).put(Fields.RATING, rating)));
  }

  Future<JsonObject> conversations(String botId, int limit, int offset) {
    Future<RowSet<Row>> page = SqlTemplate.forQuery(reader, MemorySql.CONVERSATIONS)
        .execute(Map.of(Fields.BOT_ID, botId, Fields.LIMIT, limit, Fields.OFFSET, offset));
    Future<RowSet<Row>> total = SqlTemplate.forQuery(reader, MemorySql.COUNT_CONVERSATIONS)
        .execute(Map.of(Fields.BOT_ID, botId));
    return Future.all(page, total).map(done -> {
      JsonArray list = new JsonArray();
      for (Row row : page.result()) {
        list.add(row.toJson());
      }
      long count = total.result().iterator().next().getLong("total");
      return new JsonObject().put("conversations", list).put("total", count).put(Fields.LIMIT, limit).put(Fields.OFFSET, offset);
    });
  }

  Future<JsonObject> conversation(String botId, String conversationId) {
    Map<String, Object> params = Map.of(Fields.BOT_ID, botId, Fields.CONVERSATION_ID, conversationId,
        Fields.LIMIT, MAX_SESSION_MESSAGES);
    Future<RowSet<Row>> head = SqlTemplate.forQuery(reader, MemorySql.CONVERSATION).execute(params);
    Future<RowSet<Row>> body = SqlTemplate.forQuery(reader, MemorySql.CONVERSATION_MESSAGES).execute(params);
    return Future.all(head, body).compose(done -> {
      if (head.result().size() == 0) {
        return Future.failedFuture(ParleyException.notFound("Conversation"));
      }
      return Future.succeededFuture(head.result().iterator().next().toJson().put(Fields.MESSAGES, messages(body.result())));
    });
  }

  Future<JsonObject> stats(String botId, int days) {
    long today = System.currentTimeMillis() / DAY_MS;
    long since = (today - days + 1) * DAY_MS;
    return SqlTemplate.forQuery(reader, MemorySql.STATS).execute(Map.of(Fields.BOT_ID, botId, "since", since)).map(rows -> {
      Map<Long, JsonObject> byDay = new HashMap<>();
      for (Row row : rows) {
        JsonObject json = row.toJson();
        byDay.put(((Number) json.getValue("day")).longValue(), json);
      }
      JsonArray series = new JsonArray();
      for (long day = today - days + 1; day <= today; day++) {
        series.add(dayStats(day, byDay.get(day)));
      }
      return new JsonObject().put(Fields.BOT_ID, botId).put(Fields.DAYS, series);
    });
  }

  Future<JsonObject> usage(String botId, long since) {
    return SqlTemplate.forQuery(reader, MemorySql.USAGE).execute(Map.of(Fields.BOT_ID, botId, "since", since)).map(rows -> {
      JsonObject r = rows.size() == 0 ? new JsonObject() : rows.iterator().next().toJson();
      return new JsonObject()
          .put(Fields.INPUT_TOKENS, longOf(r, "input_tokens"))
          .put(Fields.OUTPUT_TOKENS, longOf(r, "output_tokens"))
          .put(Fields.COST, r.getValue("cost") == null ? 0.0 : ((Number) r.getValue("cost")).doubleValue());
    });
  }

  private static JsonObject dayStats(long day, JsonObject row) {
    JsonObject r = row == null ? new JsonObject() : row;
    Number avg = (Number) r.getValue("avg_latency_ms");
    return new JsonObject()
        .put("date", LocalDate.ofEpochDay(day).toString())
        .put("turns", longOf(r, "turns"))
        .put(Fields.INPUT_TOKENS, longOf(r, "input_tokens"))
        .put(Fields.OUTPUT_TOKENS, longOf(r, "output_tokens"))
        .put(Fields.COST, r.getValue("cost") == null ? 0.0 : ((Number) r.getValue("cost")).doubleValue())
        .put("avg_latency_ms", avg == null ? null : Math.round(avg.doubleValue()))
        .put("max_latency_ms", r.getValue("max_latency_ms") == null ? null : longOf(r, "max_latency_ms"))
        .put("errors", longOf(r, "errors"))
        .put("feedback_up", longOf(r, "feedback_up"))
        .put("feedback_down", longOf(r, "feedback_down"));
  }

  private static long longOf(JsonObject row, String field) {
    Object value = row.getValue(field);
    return value == null ? 0 : ((Number) value).longValue();
  }

  private static JsonArray messages(RowSet<Row> rows) {
    JsonArray list = new JsonArray();
    for (Row row : rows) {
      JsonObject message = row.toJson();
      String sources = message.getString(Fields.SOURCES);
      message.put(Fields.SOURCES, sources == null ? new JsonArray() : new JsonArray(sources));
      list.add(message);
    }
    return list;
  }
}
