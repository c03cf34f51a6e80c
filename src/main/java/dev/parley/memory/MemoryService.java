package dev.parley.memory;

import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import dev.parley.db.Dialect;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Conversations and messages: history for a turn, session views, logs, feedback and usage. */
final class MemoryService implements SessionHistories {

  private static final int MAX_SESSION_MESSAGES = 1_000;
  private static final long DAY_MS = DailyUsage.DAY_MS;

  private final Database database;
  private final Pool pool;
  private final TurnWriter turns;
  private final HistoryCache cache;
  private final ExportPages exports;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> historyQuery;

  /** {@code historyCacheChars}: the most message characters the history cache holds (SQLite only; 0 turns it off). */
  MemoryService(Database database, long historyCacheChars) {
    this.database = database;
    this.pool = database.pool();
    this.turns = new TurnWriter(database);
    this.cache = database.dialect() == Dialect.SQLITE ? HistoryCache.acquire(database.name(), historyCacheChars) : null;
    this.exports = new ExportPages(pool);
    this.historyQuery = Templates.forQuery(pool, MemorySql.HISTORY);
  }

  ExportPages exports() {
    return exports;
  }

  /** Forgets a session's cached history (its conversation was deleted). */
  @Override
  public void forget(String botId, String sessionId) {
    if (cache != null) {
      cache.forget(botId, sessionId);
    }
  }

  @Override
  public long ticket() {
    return cache == null ? 0 : cache.ticket();
  }

  @Override
  public void none(String botId, String sessionId, long ticket) {
    if (cache != null) {
      cache.fill(botId, sessionId, ticket, HistoryCache.MAX_MESSAGES, List.of());
    }
  }

  void close() {
    if (cache != null) {
      cache.release();
    }
  }

  Future<JsonObject> history(String botId, String sessionId, int limit) {
    int capped = Math.max(0, Math.min(limit, 500));
    JsonArray held = cache == null ? null : cache.get(botId, sessionId, capped);
    if (held != null) {
      return Future.succeededFuture(new JsonObject().put(Fields.MESSAGES, held));
    }
    long ticket = cache == null ? 0 : cache.ticket();
    return historyQuery.execute(Map.of(Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId, Fields.LIMIT, capped))
        .map(rows -> {
          List<HistoryCache.Message> newestFirst = new ArrayList<>(rows.size());
          for (Row row : rows) {
            newestFirst.add(new HistoryCache.Message(row.getString("id"), row.getString("role"), row.getString("content")));
          }
          if (cache != null) {
            cache.fill(botId, sessionId, ticket, capped, newestFirst);
          }
          JsonArray messages = new JsonArray();
          for (int i = newestFirst.size() - 1; i >= 0; i--) {
            HistoryCache.Message message = newestFirst.get(i);
            messages.add(new JsonObject().put(Fields.ROLE, message.role()).put(Fields.CONTENT, message.content()));
          }
          return new JsonObject().put(Fields.MESSAGES, messages);
        });
  }

  Future<JsonObject> append(JsonObject turn) {
    JsonObject user = turn.getJsonObject(Fields.USER);
    if (user == null || user.getString(Fields.CONTENT) == null) {
      return Future.failedFuture(ParleyException.badRequest("invalid_turn", "A turn needs user.content"));
    }
    if (cache == null) {
      return turns.append(turn);
    }
    String botId = turn.getString(Fields.BOT_ID);
    String sessionId = turn.getString(Fields.SESSION_ID);
    return turns.append(turn)
        .onFailure(failure -> cache.forget(botId, sessionId))
        .map(stored -> {
          if (stored.getBoolean(TurnWriter.ALREADY_STORED, false)) {
            cache.forget(botId, sessionId);
          } else {
            cache.appended(botId, sessionId, answered(turn, stored));
          }
          return stored;
        });
  }

  /** The messages of a stored turn that later turns see as history (as {@link MemorySql#HISTORY} selects them). */
  private static List<HistoryCache.Message> answered(JsonObject turn, JsonObject stored) {
    JsonObject assistant = turn.getJsonObject(Fields.ASSISTANT);
    if (assistant == null) {
      return List.of();
    }
    HistoryCache.Message user = new HistoryCache.Message(stored.getString("user_message_id"), "user",
        turn.getJsonObject(Fields.USER).getString(Fields.CONTENT));
    if (!"complete".equals(assistant.getString(Fields.STATUS, "complete")) || assistant.getString(Fields.ERROR) != null) {
      return List.of(user);
    }
    return List.of(user, new HistoryCache.Message(stored.getString(Fields.MESSAGE_ID), "assistant",
        assistant.getString(Fields.CONTENT, "")));
  }

  Future<JsonObject> sessionMessages(String botId, String sessionId) {
    return Templates.forQuery(pool, MemorySql.SESSION_MESSAGES)
        .execute(Map.of(Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId, Fields.LIMIT, MAX_SESSION_MESSAGES))
        .map(rows -> new JsonObject().put(Fields.SESSION_ID, sessionId).put(Fields.MESSAGES, messages(rows)));
  }

  /** Detaches the session's messages from its visitor: they stay stored for the operator. */
  Future<JsonObject> clear(String botId, String sessionId) {
    return Templates.forUpdate(pool, MemorySql.CLEAR_SESSION)
        .execute(Map.of(Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId, "now", System.currentTimeMillis()))
        .map(result -> {
          if (cache != null) {
            cache.forget(botId, sessionId);
          }
          return new JsonObject().put("cleared", result.rowCount() > 0);
        });
  }

  /** Rates an answer; the reply names the answer's session too (the negative-feedback handoff trigger needs it). */
  Future<JsonObject> feedback(String botId, String messageId, String rating, String comment) {
    return DailyUsage.rate(database, botId, messageId, rating, comment)
        .compose(rated -> Templates.forQuery(pool, MemorySql.SESSION_OF_MESSAGE)
            .execute(Map.of(Fields.BOT_ID, botId, Fields.MESSAGE_ID, messageId))
            .map(rows -> rows.size() == 0 ? rated
                : rated.copy().put(Fields.SESSION_ID, rows.iterator().next().getString(Fields.SESSION_ID))));
  }

  /**
   * Erasure on request: deletes the session's conversation with its messages and their feedback (its day's usage
   * keeps only the numbers), and forgets the session's cached history; 404 when the bot has no such session.
   */
  Future<JsonObject> erase(String botId, String sessionId) {
    return Templates.forQuery(pool, MemorySql.SESSION_CONVERSATION)
        .execute(Map.of(Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ParleyException.notFound("Session"));
          }
          return Deletions.delete(database, List.of(rows.iterator().next().getString("id")), Long.MAX_VALUE);
        })
        .map(deleted -> {
          forget(botId, sessionId);
          return deleted;
        });
  }

  Future<JsonObject> conversations(String botId, int limit, int offset) {
    Future<RowSet<Row>> page = Templates.forQuery(pool, MemorySql.CONVERSATIONS)
        .execute(Map.of(Fields.BOT_ID, botId, Fields.LIMIT, limit, Fields.OFFSET, offset));
    Future<RowSet<Row>> total = Templates.forQuery(pool, MemorySql.COUNT_CONVERSATIONS)
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
    Future<RowSet<Row>> head = Templates.forQuery(pool, MemorySql.CONVERSATION).execute(params);
    Future<RowSet<Row>> body = Templates.forQuery(pool, MemorySql.CONVERSATION_MESSAGES).execute(params);
    return Future.all(head, body).compose(done -> {
      if (head.result().size() == 0) {
        return Future.failedFuture(ParleyException.notFound("Conversation"));
      }
      JsonObject conversation = head.result().iterator().next().toJson();
      String name = (String) conversation.remove("follow_up_name");
      String email = (String) conversation.remove("follow_up_email");
      conversation.put("follow_up", email == null ? null : new JsonObject().put(Fields.NAME, name).put(Fields.EMAIL, email));
      return Future.succeededFuture(conversation.put(Fields.MESSAGES, messages(body.result())));
    });
  }

  /**
   * {@code {bot_id, days: [{date, turns, …, handoffs, handoff_triggers: {visitor, keywords, no_answer_turns,
   * negative_feedback, tool}, first_replies, avg_first_reply_ms}], conversations: {bot, waiting, human, closed}}}: the
   * daily numbers, and the bot's conversations per state now.
   */
  Future<JsonObject> stats(String botId, int days) {
    Future<JsonObject> perState = Templates.forQuery(pool, MemorySql.STATES_OF_BOT).execute(Map.of(Fields.BOT_ID, botId))
        .map(rows -> {
          JsonObject counts = new JsonObject();
          for (String state : List.of("bot", "waiting", "human", "closed")) {
            counts.put(state, 0L);
          }
          for (Row row : rows) {
            counts.put(row.getString("state"), row.getLong("conversations"));
          }
          return counts;
        });
    return Future.all(daily(botId, days), perState).map(both -> both.<JsonObject>resultAt(0)
        .put("conversations", both.<JsonObject>resultAt(1)));
  }

  private Future<JsonObject> daily(String botId, int days) {
    long today = System.currentTimeMillis() / DAY_MS;
    return Templates.forQuery(pool, MemorySql.STATS)
        .execute(Map.of(Fields.BOT_ID, botId, "since_day", today - days + 1)).map(rows -> {
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
    return Templates.forQuery(pool, MemorySql.USAGE)
        .execute(Map.of(Fields.BOT_ID, botId, "since_day", since / DAY_MS)).map(rows -> {
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
        .put("feedback_down", longOf(r, "feedback_down"))
        .mergeIn(HandoffUsage.ofDay(r));
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
      if (message.containsKey(Fields.TOOL_CALLS)) {
        String calls = message.getString(Fields.TOOL_CALLS);
        message.put(Fields.TOOL_CALLS, calls == null ? new JsonArray() : new JsonArray(calls));
      }
      list.add(message);
    }
    return list;
  }
}
