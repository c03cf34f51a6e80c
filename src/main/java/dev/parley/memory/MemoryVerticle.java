package dev.parley.memory;

import dev.parley.common.Addresses;
import dev.parley.common.BusHandlers;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import dev.parley.db.Dialect;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Owns conversations and messages.
 *
 * <table>
 *   <caption>Addresses consumed (failures: 400 bad ids, 404, 503 storage_unavailable)</caption>
 *   <tr><td>{@code parley.memory.health}</td><td>{}</td><td>{@code {status: "UP", database_bytes}}</td></tr>
 *   <tr><td>{@code parley.memory.history}</td><td>{@code {bot_id, session_id, limit}}</td>
 *   <td>{@code {messages:[{role, content}]}}: the last answered messages, oldest first</td></tr>
 *   <tr><td>{@code parley.memory.append}</td><td>{@code {bot_id, session_id, user:{id?, content, created_at},
 *   assistant?:{id?, content, status, error, input_tokens, output_tokens, cost, latency_ms, provider, model, sources},
 *   error?, retrieval_error?, deadline?}}</td>
 *   <td>{@code {conversation_id, user_message_id, message_id}}, after the commit; with the messages' own ids a turn
 *   sent again is stored once ({@code already_stored: true}); past {@code deadline} (epoch ms) nothing is stored
 *   (504 {@code timeout})</td></tr>
 *   <tr><td>{@code parley.memory.session.get}</td><td>{@code {bot_id, session_id}}</td><td>{@code {session_id, messages}}</td></tr>
 *   <tr><td>{@code parley.memory.session.clear}</td><td>{@code {bot_id, session_id}}</td><td>{@code {cleared}}: later history and
 *   session views start after the session's messages so far, which stay stored (logs, usage, budgets)</td></tr>
 *   <tr><td>{@code parley.memory.feedback}</td><td>{@code {bot_id, message_id, rating: up|down, comment?}}</td><td>{@code {message_id, rating}};
 *   404 for an answer its session cleared</td></tr>
 *   <tr><td>{@code parley.memory.conversations}</td><td>{@code {bot_id, limit, offset}}</td><td>{@code {conversations, total}}</td></tr>
 *   <tr><td>{@code parley.memory.conversation}</td><td>{@code {bot_id, conversation_id}}</td><td>the conversation with its messages</td></tr>
 *   <tr><td>{@code parley.memory.usage}</td><td>{@code {bot_id, since}}</td><td>{@code {input_tokens, output_tokens, cost}}
 *   of the bot's messages since {@code since} (epoch ms; daily budgets)</td></tr>
 *   <tr><td>{@code parley.memory.stats}</td><td>{@code {bot_id, days}}</td><td>{@code {bot_id, days:[{date, turns, …}]}}</td></tr>
 * </table>
 */
public class MemoryVerticle extends VerticleBase {

  private static final Set<String> RATINGS = Set.of("up", "down");

  private Database database;
  private MemoryService memory;

  @Override
  public Future<?> start() {
    return Database.open(vertx, config().getJsonObject("database"), config().getString("data_dir", "./data"))
        .compose(db -> {
          database = db;
          memory = new MemoryService(db, config().getLong("history_cache_mb", 64L) * 1_000_000L);
          return Future.all(List.of(
              BusHandlers.register(vertx, Addresses.MEMORY_HEALTH, body -> health()),
              BusHandlers.register(vertx, Addresses.MEMORY_HISTORY, body ->
                  memory.history(botId(body), sessionId(body), body.getInteger(Fields.LIMIT, 20))),
              BusHandlers.register(vertx, Addresses.MEMORY_APPEND, body -> {
                botId(body);
                sessionId(body);
                return memory.append(body);
              }),
              BusHandlers.register(vertx, Addresses.MEMORY_SESSION_GET, body ->
                  memory.sessionMessages(botId(body), sessionId(body))),
              BusHandlers.register(vertx, Addresses.MEMORY_SESSION_CLEAR, body ->
                  memory.clear(botId(body), sessionId(body))),
              BusHandlers.register(vertx, Addresses.MEMORY_FEEDBACK, this::feedback),
              BusHandlers.register(vertx, Addresses.MEMORY_CONVERSATIONS, body -> memory.conversations(botId(body),
                  clamp(body.getInteger(Fields.LIMIT, 50), 1, 200), Math.max(0, body.getInteger(Fields.OFFSET, 0)))),
              BusHandlers.register(vertx, Addresses.MEMORY_CONVERSATION, body ->
                  memory.conversation(botId(body), entityId(body, Fields.CONVERSATION_ID, "Conversation"))),
              BusHandlers.register(vertx, Addresses.MEMORY_STATS, body ->
                  memory.stats(botId(body), clamp(body.getInteger(Fields.DAYS, 30), 1, 366))),
              BusHandlers.register(vertx, Addresses.MEMORY_USAGE, body ->
                  memory.usage(botId(body), Math.max(0L, body.getLong("since", 0L))))));
        });
  }

  @Override
  public Future<?> stop() {
    if (memory != null) {
      memory.close();
    }
    return database == null ? Future.succeededFuture() : database.close();
  }

  private Future<JsonObject> feedback(JsonObject body) {
    String rating = body.getString(Fields.RATING);
    if (!RATINGS.contains(rating)) {
      throw ParleyException.invalid(Fields.RATING, "'rating' must be \"up\" or \"down\"");
    }
    String comment = body.getString(Fields.COMMENT);
    if (comment != null && comment.length() > 2_000) {
      throw ParleyException.invalid(Fields.COMMENT, "'comment' must be at most 2000 characters");
    }
    return memory.feedback(botId(body), entityId(body, Fields.MESSAGE_ID, "Message"), rating, comment);
  }

  /** Answers once the database does, with its size in bytes (file and WAL, or the PostgreSQL database). */
  private Future<JsonObject> health() {
    Future<Long> size;
    if (database.dialect() == Dialect.POSTGRES) {
      size = database.pool().query("SELECT pg_database_size(current_database()) AS bytes").execute()
          .map(rows -> rows.iterator().next().getLong("bytes"));
    } else {
      Path file = Path.of(config().getString("data_dir", "./data"),
          config().getJsonObject("database", new JsonObject()).getString("file", "parley.db"));
      size = database.pool().query("SELECT 1").execute().compose(ok -> vertx.executeBlocking(() -> {
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        return Files.size(file) + (Files.exists(wal) ? Files.size(wal) : 0L);
      }));
    }
    return size.map(bytes -> new JsonObject().put("status", "UP").put("database_bytes", bytes));
  }

  private static String botId(JsonObject body) {
    return entityId(body, Fields.BOT_ID, "Bot");
  }

  private static String entityId(JsonObject body, String field, String what) {
    return Ids.requireEntityId(body.getString(field), what);
  }

  private static String sessionId(JsonObject body) {
    return Ids.requireSessionId(body.getString(Fields.SESSION_ID));
  }

  private static int clamp(int value, int min, int max) {
    return Math.max(min, Math.min(max, value));
  }
}
