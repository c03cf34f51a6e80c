package dev.parley.memory;

import dev.parley.common.Addresses;
import dev.parley.common.AuditClient;
import dev.parley.common.BotClient;
import dev.parley.common.Bus;
import dev.parley.common.BusHandlers;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.Timeouts;
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
 *   error?, retrieval_error?, channel?, api_user?, deadline?}}</td>
 *   <td>{@code {conversation_id, user_message_id, message_id}}, after the commit; with the messages' own ids a turn
 *   sent again is stored once ({@code already_stored: true}); past {@code deadline} (epoch ms) nothing is stored
 *   (504 {@code timeout}); {@code channel} ({@code web}, or {@code api}) and {@code api_user} are kept with a
 *   new conversation</td></tr>
 *   <tr><td>{@code parley.memory.session.get}</td><td>{@code {bot_id, session_id}}</td><td>{@code {session_id, messages}}</td></tr>
 *   <tr><td>{@code parley.memory.session.clear}</td><td>{@code {bot_id, session_id}}</td><td>{@code {cleared}}: later history and
 *   session views start after the session's messages so far, which stay stored (logs, usage, budgets)</td></tr>
 *   <tr><td>{@code parley.memory.feedback}</td><td>{@code {bot_id, message_id, rating: up|down, comment?}}</td><td>{@code {message_id, rating}};
 *   404 for an answer its session cleared</td></tr>
 *   <tr><td>{@code parley.memory.conversations}</td><td>{@code {bot_id, limit, offset}}</td><td>{@code {conversations, total}}</td></tr>
 *   <tr><td>{@code parley.memory.conversation}</td><td>{@code {bot_id, conversation_id}}</td><td>the conversation with its messages</td></tr>
 *   <tr><td>{@code parley.memory.usage}</td><td>{@code {bot_id, since}}</td><td>{@code {input_tokens, output_tokens, cost}}
 *   of the bot's turns on the UTC days from the one of {@code since} (epoch ms) on (daily budgets; deleted conversations still count)</td></tr>
 *   <tr><td>{@code parley.memory.stats}</td><td>{@code {bot_id, days}}</td><td>{@code {bot_id, days:[{date, turns, …}]}}</td></tr>
 *   <tr><td>{@code parley.memory.export.page}</td><td>{@code {bot_id, since, until, after_at?, after_id?, limit?}}</td>
 *   <td>{@code {conversations: [{conversation_id, session_id, started_at, updated_at, messages}], next}}: the conversations
 *   active in [since, until) in the order they started, at most 200 (and 2000 messages) a page; {@code next} is the
 *   cursor of the next page, null after the last</td></tr>
 *   <tr><td>{@code parley.memory.session.erase}</td><td>{@code {bot_id, session_id}}</td><td>{@code {conversations, messages}}:
 *   the session's conversation, messages and feedback deleted (usage totals stay); 404 for no such session</td></tr>
 *   <tr><td>{@code parley.memory.retention.run}</td><td>{}</td><td>{@code {ran, bots: [{bot_id, conversations, messages,
 *   before}]}}: runs the retention job now ({@code ran: false} when a run is going on already)</td></tr>
 * </table>
 *
 * <p>It also serves a conversation's state, its agent messages and notes, the visitor's event log and the agents'
 * inbox ({@code parley.conversation.*}, {@link ConversationHandlers}; see {@link dev.parley.common.Addresses}), and
 * the knowledge gaps and evaluation runs ({@code parley.memory.gaps}, {@code parley.memory.evaluation.*},
 * {@link QualityHandlers}).
 *
 * <p>The retention job ({@link Retention}) also runs every {@code retention.interval_s} (3600; 0 turns it off),
 * first {@code retention.first_run_s} (60) after start, and publishes {@code parley.events.retention.completed}.
 */
public class MemoryVerticle extends VerticleBase {

  private static final Set<String> RATINGS = Set.of("up", "down");

  private Database database;
  private MemoryService memory;
  private Retention retention;
  private ConversationStates states;
  private NodeRelay relay;
  private long retentionTimer = -1;

  @Override
  public Future<?> start() {
    return Database.open(vertx, config().getJsonObject("database"), config().getString("data_dir", "./data"))
        .compose(db -> {
          database = db;
          memory = new MemoryService(db, config().getLong("history_cache_mb", 64L) * 1_000_000L);
          relay = new NodeRelay(vertx, db);
          return Future.all(List.of(
              BusHandlers.register(vertx, Addresses.MEMORY_HEALTH, body -> health()),
              // the history is read into a new array for each request (MemoryService#history)
              BusHandlers.registerHandingOver(vertx, Addresses.MEMORY_HISTORY, body ->
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
                  memory.usage(botId(body), Math.max(0L, body.getLong("since", 0L)))),
              BusHandlers.register(vertx, Addresses.MEMORY_EXPORT_PAGE, this::exportPage),
              BusHandlers.register(vertx, Addresses.MEMORY_SESSION_ERASE, body ->
                  memory.erase(botId(body), sessionId(body))),
              BusHandlers.register(vertx, Addresses.MEMORY_RETENTION_RUN, body -> retention.run()),
              relay.start(),
              QualityHandlers.register(vertx, db, evaluationStaleMs(config())),
              ConversationHandlers.register(vertx, states = new ConversationStates(db,
                  new ConversationNews(vertx.eventBus(), relay), memory), new InboxQuery(db.pool()))));
        })
        .onSuccess(ready -> scheduleRetention());
  }

  private void scheduleRetention() {
    Bus bus = new Bus(vertx);
    Timeouts timeouts = Timeouts.from(config().getJsonObject("timeouts"));
    retention = new Retention(database, new BotClient(bus, timeouts), vertx.eventBus(), memory::forget,
        new AuditClient(bus, timeouts));
    JsonObject settings = config().getJsonObject("retention", new JsonObject());
    long intervalMs = seconds(settings.getValue("interval_s"), 3_600) * 1_000L;
    if (intervalMs <= 0) {
      return;
    }
    long firstMs = Math.max(1L, seconds(settings.getValue("first_run_s"), 60) * 1_000L);
    retentionTimer = vertx.setTimer(firstMs, first -> {
      retention.run();
      retentionTimer = vertx.setPeriodic(intervalMs, tick -> retention.run());
    });
  }

  /**
   * How long a running evaluation may go without a heartbeat, from {@code evaluation_stale_s} of the memory
   * {@code config}: seconds, as a number or a string of digits ({@link QualityHandlers#staleMs}).
   */
  public static long evaluationStaleMs(JsonObject config) {
    try {
      return QualityHandlers.staleMs(seconds(config.getValue("evaluation_stale_s"), QualityHandlers.DEFAULT_STALE_S));
    } catch (NumberFormatException notANumber) {
      throw new IllegalArgumentException("Config key memory.evaluation_stale_s must be a whole number of seconds");
    }
  }

  private static long seconds(Object value, long otherwise) {
    if (value instanceof Number number) {
      return number.longValue();
    }
    return value == null ? otherwise : Long.parseLong(value.toString().trim());
  }

  private Future<JsonObject> exportPage(JsonObject body) {
    String afterId = body.getString("after_id", "");
    if (!afterId.isEmpty()) {
      Ids.requireEntityId(afterId, "Conversation");
    }
    return memory.exports().page(botId(body), body.getLong("since", 0L), body.getLong("until", Long.MAX_VALUE),
        body.getLong("after_at", -1L), afterId, body.getInteger(Fields.LIMIT, ExportPages.MAX_CONVERSATIONS));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(retentionTimer);
    if (memory != null) {
      memory.close();
    }
    if (states != null) {
      states.close();
    }
    Future<Void> relayed = relay == null ? Future.succeededFuture() : relay.stop();
    return relayed.transform(done -> database == null ? Future.succeededFuture() : database.close());
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
