package dev.parley.memory;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import dev.parley.db.Dialect;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A conversation's state: {@code bot} → {@code waiting} (a person was asked for) → {@code human} (an agent holds
 * it) → {@code bot} (released) or {@code closed}; a visitor who writes to a closed conversation starts the bot again.
 * Each change is one transaction that first locks the conversation's row, so one conversation's changes (and the
 * ids of its visitor events) go in order; news of it ({@link ConversationNews}) goes out after the commit.
 * An agent holding a conversation keeps it: another agent's assign, message, release or close is 409
 * {@code conversation_held}, unless an owner or admin does it.
 */
final class ConversationStates {

  static final String BOT = "bot";
  static final String WAITING = "waiting";
  static final String HUMAN = "human";
  static final String CLOSED = "closed";
  static final Set<String> STATES = Set.of(BOT, WAITING, HUMAN, CLOSED);
  static final Set<String> TRIGGERS = Set.of("visitor", "keywords", "no_answer_turns", "negative_feedback", "tool");
  static final int MAX_EVENTS = 500;
  static final String FOLLOW_UP = "follow_up";

  /** What a transaction did, told once it is committed. */
  private record Outcome(JsonObject reply, List<Runnable> news) {
  }

  private final Database database;
  private final ConversationNews news;
  private final SessionHistories histories;
  /** Every turn reads its session's state: the template is parsed once, not per turn, and reads three columns. */
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> stateQuery;
  /** On SQLite, the sessions known to be with the bot, whose state read needs no query; null on PostgreSQL. */
  private final WithTheBot withTheBot;

  /** {@code histories}: the cached histories, told when a session's changes or when a session has none. */
  ConversationStates(Database database, ConversationNews news, SessionHistories histories) {
    this.database = database;
    this.news = news;
    this.histories = histories;
    this.stateQuery = Templates.forQuery(database.pool(), ConversationSql.PUBLIC_STATE_OF_SESSION);
    this.withTheBot = database.dialect() == Dialect.SQLITE ? WithTheBot.acquire(database.name()) : null;
  }

  /** Lets go of what is shared with the other memory instances of the process (the verticle stops). */
  void close() {
    if (withTheBot != null) {
      withTheBot.release();
    }
  }

  Future<JsonObject> state(String botId, String sessionId) {
    if (withTheBot != null && withTheBot.contains(botId, sessionId)) {
      return Future.succeededFuture(new JsonObject().put(Fields.STATE, BOT));
    }
    long ticket = withTheBot == null ? 0 : withTheBot.ticket();
    long historyTicket = histories.ticket();
    return stateQuery.execute(Map.of(Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId)).map(rows -> {
      if (rows.size() == 0) {
        histories.none(botId, sessionId, historyTicket);
      }
      JsonObject state = rows.size() == 0 ? new JsonObject().put(Fields.STATE, BOT) : publicState(rows.iterator().next().toJson());
      if (withTheBot != null && BOT.equals(state.getString(Fields.STATE)) && state.getString(Fields.ASSIGNEE_ID) == null) {
        withTheBot.fill(botId, sessionId, ticket);
      }
      return state;
    });
  }

  /** Asks for a person: {@code waiting} (unchanged when it is waiting or with a person already). */
  Future<JsonObject> handoff(String botId, String sessionId, String reason, String trigger) {
    return commit(tx -> ensure(tx, botId, sessionId).compose(row -> toWaiting(tx, row, reason, trigger)));
  }

  private Future<Outcome> toWaiting(SqlClient tx, JsonObject row, String reason, String trigger) {
    String state = row.getString(Fields.STATE);
    if (WAITING.equals(state) || HUMAN.equals(state)) {
      return Future.succeededFuture(new Outcome(reply(row, false), List.of()));
    }
    long now = System.currentTimeMillis();
    return Templates.forUpdate(tx, ConversationSql.countHandoff(TRIGGERS.contains(trigger) ? trigger : "visitor"))
        .execute(Map.of(Fields.BOT_ID, row.getString(Fields.BOT_ID), "day", now / DailyUsage.DAY_MS))
        .compose(counted -> change(tx, row, WAITING, null, null, reason == null ? trigger : reason, trigger, now, now,
            "handoff_requested", new JsonObject()));
  }

  /**
   * A follow-up the visitor left (no person was there), with the contact they gave: the conversation waits for a
   * person with the reason {@code follow_up}. One already waiting (the offline handoff just before) takes that reason,
   * keeping the time of its request, and the agents' inboxes hear a {@code follow_up} change; one an agent holds stays
   * theirs, with the contact added.
   */
  Future<JsonObject> followUp(String botId, String sessionId, String name, String email) {
    return commit(tx -> ensure(tx, botId, sessionId).compose(row -> {
      boolean withPerson = WAITING.equals(row.getString(Fields.STATE)) || HUMAN.equals(row.getString(Fields.STATE));
      Future<Outcome> waiting = withPerson ? Future.succeededFuture(null) : toWaiting(tx, row, FOLLOW_UP, "visitor");
      Map<String, Object> params = new HashMap<>();
      params.put(Fields.CONVERSATION_ID, row.getString(Fields.ID));
      params.put(Fields.NAME, name);
      params.put(Fields.EMAIL, email);
      params.put("now", System.currentTimeMillis());
      return waiting.compose(changed -> Templates.forUpdate(tx, ConversationSql.FOLLOW_UP).execute(params).map(done -> {
        if (changed != null) {
          return changed;
        }
        JsonObject after = WAITING.equals(row.getString(Fields.STATE)) ? row.copy().put("state_reason", FOLLOW_UP) : row;
        return new Outcome(reply(after, false), List.of(() -> news.changed(FOLLOW_UP, after, null)));
      }));
    }));
  }

  /** A closed conversation goes back to the bot (its visitor wrote again). */
  Future<JsonObject> reopen(String botId, String sessionId) {
    return commit(tx -> ensure(tx, botId, sessionId).compose(row -> !CLOSED.equals(row.getString(Fields.STATE))
        ? Future.succeededFuture(new Outcome(reply(row, false), List.of()))
        : change(tx, row, BOT, null, null, "visitor_wrote", null, System.currentTimeMillis(), null, "reopened", null)));
  }

  /**
   * Counts a bot turn whose retrieval found nothing ({@code answered} false) or resets the count; at {@code turns}
   * in a row (0: never) the conversation goes to {@code waiting} with the trigger {@code no_answer_turns}.
   */
  Future<JsonObject> noAnswer(String botId, String sessionId, boolean answered, int turns) {
    return commit(tx -> Templates.forUpdate(tx, ConversationSql.COUNT_NO_ANSWER)
        .execute(Map.of(Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId, "answered", answered ? 1 : 0))
        .compose(counted -> one(tx, ConversationSql.STATE_OF_SESSION, Map.of(Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId)))
        .compose(row -> {
          if (row == null) {
            return Future.succeededFuture(new Outcome(new JsonObject().put(Fields.STATE, BOT), List.of()));
          }
          int streak = row.getInteger("no_answer_streak", 0);
          if (turns > 0 && streak >= turns && BOT.equals(row.getString(Fields.STATE))) {
            return toWaiting(tx, row, "no_answer_turns", "no_answer_turns");
          }
          return Future.succeededFuture(new Outcome(reply(row, false).put("streak", streak), List.of()));
        }));
  }

  /** An agent takes the conversation over: {@code human}, held by {@code assignee} ({@code {user_id, name}}). */
  Future<JsonObject> assign(String botId, String conversationId, JsonObject actor, JsonObject assignee) {
    return commit(tx -> locked(tx, botId, conversationId).compose(row -> {
      heldByAnother(row, actor);
      if (HUMAN.equals(row.getString(Fields.STATE)) && assignee.getString(Fields.USER_ID).equals(row.getString(Fields.ASSIGNEE_ID))) {
        return Future.succeededFuture(new Outcome(reply(row, false), List.of()));
      }
      return toHuman(tx, row, actor, assignee);
    }));
  }

  private Future<Outcome> toHuman(SqlClient tx, JsonObject row, JsonObject actor, JsonObject assignee) {
    return change(tx, row, HUMAN, assignee.getString(Fields.USER_ID), assignee.getString(Fields.NAME), "assigned", null,
        System.currentTimeMillis(), row.getLong("handoff_at"), "assigned",
        new JsonObject().put(Fields.USER_ID, actor.getString(Fields.USER_ID)));
  }

  /**
   * An agent's message to the visitor ({@code note} false: the conversation becomes the agent's if nobody holds it;
   * 409 when closed) or an internal note (any state; never on the visitor's channel).
   */
  Future<JsonObject> message(String botId, String conversationId, JsonObject actor, String text, boolean note) {
    return commit(tx -> locked(tx, botId, conversationId).compose(row -> {
      if (note) {
        return write(tx, row, actor, text, true, new ArrayList<>());
      }
      if (CLOSED.equals(row.getString(Fields.STATE))) {
        throw new ParleyException(ErrorCodes.CONFLICT, "conversation_closed", "The conversation is closed");
      }
      heldByAnother(row, actor);
      if (HUMAN.equals(row.getString(Fields.STATE))) {
        return write(tx, row, actor, text, false, new ArrayList<>());
      }
      return toHuman(tx, row, actor, actor).compose(taken -> Templates.forQuery(tx, ConversationSql.STATE_OF_CONVERSATION)
          .execute(Map.of(Fields.BOT_ID, botId, Fields.CONVERSATION_ID, conversationId))
          .compose(rows -> write(tx, rows.iterator().next().toJson(), actor, text, false, new ArrayList<>(taken.news()))));
    }));
  }

  private Future<Outcome> write(SqlClient tx, JsonObject row, JsonObject actor, String text, boolean note, List<Runnable> told) {
    long now = System.currentTimeMillis();
    String messageId = Ids.ordered();
    String conversationId = row.getString(Fields.ID);
    Map<String, Object> params = new HashMap<>();
    params.put(Fields.ID, messageId);
    params.put(Fields.CONVERSATION_ID, conversationId);
    params.put(Fields.BOT_ID, row.getString(Fields.BOT_ID));
    params.put(Fields.ROLE, note ? "note" : "agent");
    params.put(Fields.CONTENT, text);
    params.put("author_id", actor.getString(Fields.USER_ID));
    params.put("author_name", actor.getString(Fields.NAME));
    params.put("now", now);
    Long handoffAt = row.getLong("handoff_at");
    JsonObject extra = new JsonObject().put(Fields.MESSAGE_ID, messageId).put(Fields.ROLE, note ? "note" : "agent")
        .put(Fields.USER_ID, actor.getString(Fields.USER_ID));
    if (!note) {
      extra.put(Fields.TEXT, text);
      if (handoffAt != null) {
        extra.put("first_reply_ms", now - handoffAt);
      }
    }
    Future<Void> written = Templates.forUpdate(tx, ConversationSql.INSERT_MESSAGE).execute(params)
        .compose(inserted -> Templates.forUpdate(tx, note ? ConversationSql.NOTE_WRITTEN : ConversationSql.AGENT_WROTE)
            .execute(params))
        .compose(done -> note || handoffAt == null ? Future.succeededFuture()
            : Templates.forUpdate(tx, ConversationSql.COUNT_FIRST_REPLY).execute(Map.of(Fields.BOT_ID,
                row.getString(Fields.BOT_ID), "day", now / DailyUsage.DAY_MS, "wait_ms", Math.max(0L, now - handoffAt))))
        .mapEmpty();
    JsonObject reply = reply(row, false).put(Fields.MESSAGE_ID, messageId);
    if (note) {
      return written.map(done -> {
        told.add(() -> news.changed("note", row, extra));
        return new Outcome(reply, told);
      });
    }
    JsonObject data = new JsonObject().put(Fields.ID, messageId).put(Fields.ROLE, "agent")
        .put(Fields.AGENT_NAME, actor.getString(Fields.NAME)).put(Fields.TEXT, text).put(Fields.AT, now);
    return written.compose(done -> append(tx, row, "message", data, now)).map(eventId -> {
      told.add(() -> histories.forget(row.getString(Fields.BOT_ID), row.getString(Fields.SESSION_ID)));
      told.add(() -> news.toVisitor(row.getString(Fields.BOT_ID), row.getString(Fields.SESSION_ID), eventId, "message", data));
      told.add(() -> news.changed("message", row, extra));
      return new Outcome(reply, told);
    });
  }

  /** Back to the bot ({@code waiting} or {@code human}; 409 otherwise). */
  Future<JsonObject> release(String botId, String conversationId, JsonObject actor) {
    return commit(tx -> locked(tx, botId, conversationId).compose(row -> {
      String state = row.getString(Fields.STATE);
      if (!WAITING.equals(state) && !HUMAN.equals(state)) {
        throw new ParleyException(ErrorCodes.CONFLICT, "not_with_a_person", "The conversation is not with a person");
      }
      heldByAnother(row, actor);
      return change(tx, row, BOT, null, null, "released", null, System.currentTimeMillis(), null, "released",
          new JsonObject().put(Fields.USER_ID, actor.getString(Fields.USER_ID)));
    }));
  }

  Future<JsonObject> close(String botId, String conversationId, JsonObject actor) {
    return commit(tx -> locked(tx, botId, conversationId).compose(row -> {
      if (CLOSED.equals(row.getString(Fields.STATE))) {
        return Future.succeededFuture(new Outcome(reply(row, false), List.of()));
      }
      heldByAnother(row, actor);
      return change(tx, row, CLOSED, null, null, "closed", null, System.currentTimeMillis(), null, "closed",
          new JsonObject().put(Fields.USER_ID, actor.getString(Fields.USER_ID)));
    }));
  }

  /** The visitor's channel after event {@code after}: {@code {events:[{id, type, data}]}}, ascending, at most 500. */
  Future<JsonObject> events(String botId, String sessionId, long after) {
    return Templates.forQuery(database.pool(), ConversationSql.EVENTS)
        .execute(Map.of(Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId, Fields.AFTER, after, Fields.LIMIT, MAX_EVENTS))
        .map(rows -> {
          JsonArray events = new JsonArray();
          for (Row row : rows) {
            events.add(new JsonObject().put(Fields.ID, row.getLong(Fields.ID)).put(Fields.TYPE, row.getString(Fields.TYPE))
                .put(Fields.DATA, new JsonObject(row.getString(Fields.DATA))));
          }
          return new JsonObject().put(Fields.EVENTS, events);
        });
  }

  private Future<Outcome> change(SqlClient tx, JsonObject row, String state, String assigneeId, String assigneeName,
      String reason, String trigger, long now, Long handoffAt, String kind, JsonObject extra) {
    Map<String, Object> params = new HashMap<>();
    params.put(Fields.CONVERSATION_ID, row.getString(Fields.ID));
    params.put(Fields.STATE, state);
    params.put(Fields.ASSIGNEE_ID, assigneeId);
    params.put(Fields.ASSIGNEE_NAME, assigneeName);
    params.put(Fields.REASON, reason);
    params.put(Fields.TRIGGER, trigger);
    params.put("now", now);
    params.put("handoff_at", handoffAt);
    JsonObject after = row.copy().put(Fields.STATE, state).put(Fields.ASSIGNEE_ID, assigneeId)
        .put(Fields.ASSIGNEE_NAME, assigneeName).put("state_reason", reason).put("state_trigger", trigger)
        .put("handoff_at", handoffAt);
    JsonObject data = new JsonObject().put(Fields.STATE, state);
    if (assigneeName != null) {
      data.put(Fields.ASSIGNEE_NAME, assigneeName);
    }
    return Templates.forUpdate(tx, ConversationSql.SET_STATE).execute(params)
        .compose(updated -> append(tx, after, Fields.STATE, data, now))
        .map(eventId -> new Outcome(reply(after, true), List.of(
            () -> news.toVisitor(after.getString(Fields.BOT_ID), after.getString(Fields.SESSION_ID), eventId, Fields.STATE, data),
            () -> news.changed(kind, after, extra))));
  }

  private Future<Long> append(SqlClient tx, JsonObject row, String type, JsonObject data, long now) {
    Map<String, Object> params = Map.of(Fields.BOT_ID, row.getString(Fields.BOT_ID),
        Fields.SESSION_ID, row.getString(Fields.SESSION_ID), Fields.CONVERSATION_ID, row.getString(Fields.ID),
        Fields.TYPE, type, Fields.DATA, data.encode(), "now", now);
    return Templates.forUpdate(tx, ConversationSql.INSERT_EVENT).execute(params)
        .compose(inserted -> one(tx, ConversationSql.LAST_EVENT, params))
        .map(last -> last.getLong(Fields.ID));
  }

  private static void heldByAnother(JsonObject row, JsonObject actor) {
    String holder = row.getString(Fields.ASSIGNEE_ID);
    boolean admin = "owner".equals(actor.getString(Fields.ROLE)) || "admin".equals(actor.getString(Fields.ROLE));
    if (HUMAN.equals(row.getString(Fields.STATE)) && holder != null && !holder.equals(actor.getString(Fields.USER_ID)) && !admin) {
      throw new ParleyException(ErrorCodes.CONFLICT, "conversation_held",
          "Another agent (" + row.getString(Fields.ASSIGNEE_NAME) + ") holds this conversation");
    }
  }

  private Future<JsonObject> ensure(SqlClient tx, String botId, String sessionId) {
    Map<String, Object> params = Map.of(Fields.ID, Ids.ordered(), Fields.BOT_ID, botId, Fields.SESSION_ID, sessionId,
        "now", System.currentTimeMillis());
    return Templates.forUpdate(tx, ConversationSql.ENSURE).execute(params)
        .compose(made -> one(tx, ConversationSql.STATE_OF_SESSION, params));
  }

  private Future<JsonObject> locked(SqlClient tx, String botId, String conversationId) {
    Map<String, Object> params = Map.of(Fields.BOT_ID, botId, Fields.CONVERSATION_ID, conversationId);
    return Templates.forUpdate(tx, ConversationSql.LOCK).execute(params)
        .compose(locked -> one(tx, ConversationSql.STATE_OF_CONVERSATION, params))
        .map(row -> {
          if (row == null) {
            throw ParleyException.notFound("Conversation");
          }
          return row;
        });
  }

  private static Future<JsonObject> one(SqlClient client, String sql, Map<String, Object> params) {
    return Templates.forQuery(client, sql).execute(params)
        .map((RowSet<Row> rows) -> rows.size() == 0 ? null : rows.iterator().next().toJson());
  }

  /** One transaction; every one of them may change a state, so the sessions known to be with the bot go before and after. */
  private Future<JsonObject> commit(java.util.function.Function<SqlClient, Future<Outcome>> work) {
    if (withTheBot != null) {
      withTheBot.forgetAll();
    }
    return database.inTransaction(work::apply).onComplete(ended -> {
      if (withTheBot != null) {
        withTheBot.forgetAll();
      }
    }).map(outcome -> {
      outcome.news().forEach(Runnable::run);
      return outcome.reply();
    });
  }

  private static JsonObject reply(JsonObject row, boolean changed) {
    return publicState(row).put(Fields.CONVERSATION_ID, row.getString(Fields.ID)).put("changed", changed);
  }

  private static JsonObject publicState(JsonObject row) {
    JsonObject state = new JsonObject().put(Fields.STATE, row.getString(Fields.STATE));
    if (row.getString(Fields.ASSIGNEE_ID) != null) {
      state.put(Fields.ASSIGNEE_ID, row.getString(Fields.ASSIGNEE_ID)).put(Fields.ASSIGNEE_NAME, row.getString(Fields.ASSIGNEE_NAME));
    }
    return state;
  }
}
