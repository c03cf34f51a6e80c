package dev.parley.memory;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.StorageFailures;
import dev.parley.db.Database;
import dev.parley.db.Statements;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores turns with group commit: while one transaction is being written, arriving turns
 * queue up, and the next transaction takes them all. A turn is acknowledged only after
 * the commit that holds it, so an acknowledged turn survives a crash of the process, and
 * under load one commit (one fsync) serves many turns. If a batch fails, its turns are
 * retried one by one so a bad turn cannot fail its neighbours, unless the database itself cannot
 * take writes (full, locked past busy_timeout, connection dropped): then every turn of the batch
 * fails at once with 503 {@code storage_unavailable}.
 *
 * <p>Not thread-safe: used from the owning verticle's context only.
 */
final class TurnWriter {

  private static final Logger LOG = LoggerFactory.getLogger(TurnWriter.class);
  private static final int MAX_BATCH = 256;
  /** In what {@link #append} answers: the turn had been stored by an earlier request (the answer is the same). */
  static final String ALREADY_STORED = "already_stored";
  /** Rolls back a batch holding a turn whose sender stopped waiting while it was written. */
  private static final TooLate TOO_LATE = new TooLate();

  private record Pending(JsonObject turn, Promise<JsonObject> result) {
  }

  private final Database database;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean writing;

  TurnWriter(Database database) {
    this.database = database;
  }

  Future<JsonObject> append(JsonObject turn) {
    Promise<JsonObject> result = Promise.promise();
    queue.add(new Pending(turn, result));
    flush();
    return result.future();
  }

  private void flush() {
    if (writing || queue.isEmpty()) {
      return;
    }
    writing = true;
    List<Pending> batch = new ArrayList<>();
    while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
      batch.add(queue.poll());
    }
    write(batch).onComplete(done -> {
      writing = false;
      flush();
    });
  }

  private Future<Void> write(List<Pending> queued) {
    List<Pending> batch = withoutLate(queued);
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    return database.inStatements(tx -> writeAll(tx, batch)
            // the last moment to give up: a node that froze mid-write must not commit turns already failed
            .compose(ids -> batch.stream().anyMatch(TurnWriter::late) ? Future.failedFuture(TOO_LATE)
                : Future.succeededFuture(ids)))
        .map(ids -> {
          for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(ids.get(i));
          }
          return (Void) null;
        })
        .recover(failure -> {
          if (failure == TOO_LATE) {
            return batch.size() == 1 ? write(batch) : oneByOne(batch);
          }
          if (batch.size() == 1) {
            return fail(batch.get(0), failure);
          }
          if (StorageFailures.isUnavailable(failure)) {
            // the database cannot take writes (full, locked, connection dropped): turn by turn would only
            // wait busy_timeout once per turn to fail the same way
            LOG.error("Could not store {} turns: {}", batch.size(), StorageFailures.reason(failure));
            batch.forEach(pending -> pending.result().fail(notStored()));
            return Future.succeededFuture();
          }
          return oneByOne(batch);
        });
  }

  /**
   * The turns whose sender still waits; the others fail unstored (their {@link Fields#DEADLINE} passed: the
   * sender answered its visitor with an error, and the visitor may have sent the message again).
   */
  private static List<Pending> withoutLate(List<Pending> batch) {
    List<Pending> live = new ArrayList<>(batch.size());
    for (Pending pending : batch) {
      if (late(pending)) {
        LOG.warn("Did not store a turn of bot {}: its sender stopped waiting for it",
            pending.turn().getString(Fields.BOT_ID));
        pending.result().fail(
            new ParleyException(ErrorCodes.GATEWAY_TIMEOUT, "timeout", "The turn was not stored in time"));
      } else {
        live.add(pending);
      }
    }
    return live;
  }

  private static boolean late(Pending pending) {
    Long deadline = pending.turn().getLong(Fields.DEADLINE);
    return deadline != null && System.currentTimeMillis() > deadline;
  }

  /** What storing {@code turn} answered, read back by the ids it brought. */
  private Future<JsonObject> stored(JsonObject turn) {
    String userId = turn.getJsonObject(Fields.USER).getString(Fields.ID);
    JsonObject assistant = turn.getJsonObject(Fields.ASSISTANT);
    String assistantId = assistant == null ? userId : assistant.getString(Fields.ID, userId);
    return Templates.forQuery(database.pool(), MemorySql.STORED_TURN)
        .execute(Map.of(Fields.BOT_ID, turn.getString(Fields.BOT_ID), "user", userId, "assistant", assistantId))
        .compose(rows -> {
          JsonObject ids = new JsonObject();
          for (Row row : rows) {
            ids.put(Fields.CONVERSATION_ID, row.getString(Fields.CONVERSATION_ID));
            ids.put("assistant".equals(row.getString(Fields.ROLE)) ? Fields.MESSAGE_ID : "user_message_id",
                row.getString("id"));
          }
          return ids.containsKey("user_message_id") ? Future.succeededFuture(ids.put(ALREADY_STORED, true))
              : Future.failedFuture(notStored());
        });
  }

  private static ParleyException notStored() {
    return StorageFailures.unavailable("The conversation could not be stored");
  }

  private Future<Void> oneByOne(List<Pending> batch) {
    Future<Void> chain = Future.succeededFuture();
    for (Pending pending : batch) {
      chain = chain.compose(v -> write(List.of(pending)));
    }
    return chain;
  }

  private Future<Void> fail(Pending pending, Throwable failure) {
    String userId = pending.turn().getJsonObject(Fields.USER).getString(Fields.ID);
    if (Database.isUniqueViolation(failure) && Ids.isEntityId(userId)) {
      // sent again after a timeout: the first request stored it, and its node could not answer in time
      return stored(pending.turn())
          .onFailure(unread -> LOG.error("Could not read back the stored turn of bot {}: {}",
              pending.turn().getString(Fields.BOT_ID), StorageFailures.reason(unread)))
          .onComplete(pending.result()).otherwiseEmpty().mapEmpty();
    }
    if (Database.isForeignKeyViolation(failure)) {
      pending.result().fail(ParleyException.notFound("Bot"));
    } else if (StorageFailures.isUnavailable(failure)) {
      LOG.error("Could not store a turn of bot {}: {}", pending.turn().getString(Fields.BOT_ID),
          StorageFailures.reason(failure));
      pending.result().fail(notStored());
    } else {
      LOG.error("Could not store a turn of bot {}", pending.turn().getString(Fields.BOT_ID), failure);
      pending.result().fail(notStored());
    }
    return Future.succeededFuture();
  }

  /**
   * Writes a batch in four statements whatever its size: upsert every turn's conversation,
   * read their ids back, insert every message, add them to their days' usage ({@link DailyUsage}). (A statement per
   * turn would make the single SQLite connection the bottleneck under load; {@link Database#inStatements} runs the
   * four on SQLite in one worker-thread hop.)
   */
  private static Future<List<JsonObject>> writeAll(Statements tx, List<Pending> batch) {
    long now = System.currentTimeMillis();
    List<Map<String, Object>> conversations = new ArrayList<>(batch.size());
    Set<String> bots = new LinkedHashSet<>();
    Set<String> sessions = new LinkedHashSet<>();
    for (Pending pending : batch) {
      JsonObject turn = pending.turn();
      Map<String, Object> conversation = new HashMap<>();
      conversation.put("id", Ids.ordered());
      conversation.put(Fields.BOT_ID, turn.getString(Fields.BOT_ID));
      conversation.put(Fields.SESSION_ID, turn.getString(Fields.SESSION_ID));
      conversation.put("now", now);
      conversation.put("count", turn.getJsonObject(Fields.ASSISTANT) == null ? 1 : 2);
      // the channel and caller's user of the conversation's first turn: a session stays on its channel
      conversation.put(Fields.CHANNEL, "api".equals(turn.getString(Fields.CHANNEL)) ? "api" : "web");
      conversation.put(Fields.API_USER, turn.getString(Fields.API_USER));
      conversations.add(conversation);
      bots.add(turn.getString(Fields.BOT_ID));
      sessions.add(turn.getString(Fields.SESSION_ID));
    }
    Map<String, Object> keys = new HashMap<>();
    bots.forEach(bot -> keys.put("b" + keys.size(), bot));
    sessions.forEach(session -> keys.put("s" + (keys.size() - bots.size()), session));
    return tx.batch(MemorySql.UPSERT_CONVERSATION, conversations)
        .compose(upserted -> tx.query(MemorySql.conversationIds(bots.size(), sessions.size()), keys))
        .compose(rows -> {
          Map<String, String> ids = new HashMap<>();
          for (JsonObject row : rows) {
            ids.put(row.getString(Fields.BOT_ID) + '/' + row.getString(Fields.SESSION_ID), row.getString("id"));
          }
          List<Map<String, Object>> messages = new ArrayList<>(batch.size() * 2);
          List<JsonObject> stored = new ArrayList<>(batch.size());
          for (Pending pending : batch) {
            JsonObject turn = pending.turn();
            String conversationId = ids.get(turn.getString(Fields.BOT_ID) + '/' + turn.getString(Fields.SESSION_ID));
            stored.add(rows(turn, conversationId, now, messages));
          }
          return tx.batch(MemorySql.INSERT_MESSAGE, messages)
              .compose(done -> DailyUsage.add(tx, messages)).map(done -> stored);
        });
  }

  /** Adds the message rows of one turn to {@code messages}; answers what the turn's caller gets back. */
  private static JsonObject rows(JsonObject turn, String conversationId, long now, List<Map<String, Object>> messages) {
    String botId = turn.getString(Fields.BOT_ID);
    JsonObject user = turn.getJsonObject(Fields.USER);
    JsonObject assistant = turn.getJsonObject(Fields.ASSISTANT);
    String userId = presetId(user);
    String assistantId = assistant == null ? null : presetId(assistant);
    Map<String, Object> userRow = message(userId, conversationId, botId, "user", user, user.getLong(Fields.CREATED_AT, now));
    userRow.put(Fields.ERROR, assistant == null ? turn.getString(Fields.ERROR, "failed") : null);
    userRow.put(Fields.RETRIEVAL_ERROR, turn.getString(Fields.RETRIEVAL_ERROR));
    userRow.put(Fields.TOP_SCORE, turn.getValue(Fields.TOP_SCORE) instanceof Number top ? top.doubleValue() : null);
    userRow.put(Fields.NOTHING_FOUND, Boolean.TRUE.equals(turn.getValue(Fields.NOTHING_FOUND)) ? 1 : 0);
    messages.add(userRow);
    if (assistant != null) {
      messages.add(message(assistantId, conversationId, botId, "assistant", assistant, assistant.getLong(Fields.CREATED_AT, now)));
    }
    return new JsonObject()
        .put(Fields.CONVERSATION_ID, conversationId)
        .put("user_message_id", userId)
        .put(Fields.MESSAGE_ID, assistantId);
  }

  /** The message's own id when the turn brings a well-formed one (it was stored already if taken), else a new one. */
  private static String presetId(JsonObject message) {
    String id = message.getString(Fields.ID);
    return Ids.isEntityId(id) ? id : Ids.ordered();
  }

  private static Map<String, Object> message(String id, String conversationId, String botId, String role,
      JsonObject fields, long createdAt) {
    Map<String, Object> row = new HashMap<>();
    row.put("id", id);
    row.put(Fields.CONVERSATION_ID, conversationId);
    row.put(Fields.BOT_ID, botId);
    row.put(Fields.ROLE, role);
    row.put(Fields.CONTENT, fields.getString(Fields.CONTENT, ""));
    row.put(Fields.STATUS, fields.getString(Fields.STATUS, "complete"));
    row.put(Fields.ERROR, fields.getString(Fields.ERROR));
    row.put(Fields.RETRIEVAL_ERROR, null);
    row.put(Fields.TOP_SCORE, null);
    row.put(Fields.NOTHING_FOUND, 0);
    JsonArray sources = fields.getJsonArray(Fields.SOURCES);
    row.put(Fields.SOURCES, sources == null || sources.isEmpty() ? null : sources.encode());
    JsonArray toolCalls = fields.getValue(Fields.TOOL_CALLS) instanceof JsonArray calls ? calls : null;
    row.put(Fields.TOOL_CALLS, toolCalls == null || toolCalls.isEmpty() ? null : toolCalls.encode());
    row.put(Fields.INPUT_TOKENS, fields.getInteger(Fields.INPUT_TOKENS));
    row.put(Fields.OUTPUT_TOKENS, fields.getInteger(Fields.OUTPUT_TOKENS));
    row.put(Fields.COST, fields.getDouble(Fields.COST));
    row.put(Fields.LATENCY_MS, fields.getLong(Fields.LATENCY_MS));
    row.put(Fields.PROVIDER, fields.getString(Fields.PROVIDER));
    row.put(Fields.MODEL, fields.getString(Fields.MODEL));
    row.put(Fields.CREATED_AT, createdAt);
    return row;
  }

  private static final class TooLate extends Exception {
    TooLate() {
      super("a turn's deadline passed while its batch was written", null, false, false);
    }
  }
}
