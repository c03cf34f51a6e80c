package dev.parley.memory;

import dev.parley.common.Addresses;
import dev.parley.common.BusHandlers;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory addresses of answer quality (issue 16): knowledge gaps and evaluation runs. Registered by
 * {@link MemoryVerticle} after the runs a stopped process left {@code running} are marked {@code interrupted}: on a
 * node that is not clustered, every run still running (no other process can be running it); in a cluster, the runs
 * whose heartbeat is older than {@code memory.evaluation_stale_s} (60), since another node may be running them. Every
 * quarter of that time the same sweep runs again, so the runs of a node that died are marked while the others run on.
 *
 * <table>
 *   <caption>Addresses consumed (failures: 400 bad ids, 404, 409, 422, 503 storage_unavailable)</caption>
 *   <tr><td>{@code parley.memory.gaps}</td><td>{@code {bot_id, since (epoch ms), weak_below (0–1), limit (1–1000)}}</td>
 *   <td>{@code {questions: [{message_id, conversation_id, text, created_at, top_score, reasons: [nothing_found | weak
 *   | thumbs_down | handoff]}]}}, newest first ({@link GapQuestions})</td></tr>
 *   <tr><td>{@code parley.memory.evaluation.create}</td><td>{@code {bot_id, eval_id, settings, questions}}</td>
 *   <td>the run, {@code running}; 409 {@code evaluation_running} when the bot has one running</td></tr>
 *   <tr><td>{@code parley.memory.evaluation.progress}</td><td>{@code {eval_id, done_count}}</td><td>{@code {updated}}
 *   (false once the run is not running)</td></tr>
 *   <tr><td>{@code parley.memory.evaluation.heartbeat}</td><td>{@code {eval_id}}</td><td>{@code {updated}} (false once
 *   the run is not running): the running node says it still runs it</td></tr>
 *   <tr><td>{@code parley.memory.evaluation.finish}</td><td>{@code {eval_id, status: completed|failed, done_count,
 *   error?, summary?, results?}}</td><td>{@code {updated}}</td></tr>
 *   <tr><td>{@code parley.memory.evaluation.list}</td><td>{@code {bot_id}}</td><td>{@code {evaluations: [run]}}, the
 *   last 50, newest first, without results</td></tr>
 *   <tr><td>{@code parley.memory.evaluation.get}</td><td>{@code {bot_id, eval_id}}</td><td>the run with its
 *   {@code results}; 404</td></tr>
 * </table>
 *
 * <p>A run is {@code {eval_id, bot_id, status: running|completed|failed|interrupted, created_at, finished_at,
 * question_count, done_count, error, settings, summary}}.
 */
final class QualityHandlers {

  /** How long a running evaluation may go without a heartbeat before a clustered memory node marks it interrupted. */
  static final long DEFAULT_STALE_S = 60;

  private static final Logger LOG = LoggerFactory.getLogger(QualityHandlers.class);

  private QualityHandlers() {
  }

  /**
   * The stale time of {@code staleS} seconds: {@link #DEFAULT_STALE_S} when not positive (0 would sweep every
   * millisecond and mark every run).
   */
  static long staleMs(long staleS) {
    return (staleS > 0 ? staleS : DEFAULT_STALE_S) * 1_000;
  }

  /** Registers the handlers; runs with no heartbeat for {@code staleMs} ({@link #staleMs}) are marked interrupted. */
  static Future<Void> register(Vertx vertx, Database database, long staleMs) {
    Evaluations runs = new Evaluations(database);
    long atStart = vertx.isClustered() ? System.currentTimeMillis() - staleMs : Long.MAX_VALUE;
    return runs.interrupt(atStart).compose(interrupted -> {
      vertx.setPeriodic(Math.max(1, staleMs / 4), tick -> sweep(runs, staleMs));
      return handlers(vertx, new GapQuestions(database.pool()), runs);
    });
  }

  /** Marks the runs whose heartbeat stopped {@code interrupted}: their node is gone. */
  private static void sweep(Evaluations runs, long staleMs) {
    runs.interrupt(System.currentTimeMillis() - staleMs).onSuccess(marked -> {
      if (marked > 0) {
        LOG.info("{} evaluation run(s) marked interrupted: no heartbeat for {} ms", marked, staleMs);
      }
    });
  }

  private static Future<Void> handlers(Vertx vertx, GapQuestions gaps, Evaluations runs) {
    return Future.all(List.of(
        BusHandlers.register(vertx, Addresses.MEMORY_GAPS, body -> gaps.questions(botId(body),
            Math.max(0L, body.getLong("since", 0L)), number(body, "weak_below", 0.0, 0, 1),
            (int) number(body, Fields.LIMIT, 500, 1, 1_000))),
        BusHandlers.register(vertx, Addresses.MEMORY_EVALUATION_CREATE, body -> runs.create(botId(body),
            evaluationId(body), object(body, "settings"), array(body, "questions"))),
        BusHandlers.register(vertx, Addresses.MEMORY_EVALUATION_PROGRESS, body -> runs.progress(evaluationId(body),
            body.getInteger("done_count", 0))),
        BusHandlers.register(vertx, Addresses.MEMORY_EVALUATION_HEARTBEAT, body -> runs.heartbeat(evaluationId(body))),
        BusHandlers.register(vertx, Addresses.MEMORY_EVALUATION_FINISH, body -> runs.finish(evaluationId(body),
            body.getString(Fields.STATUS), body.getInteger("done_count", 0), body.getString(Fields.ERROR),
            body.getJsonObject("summary"), body.getJsonArray("results"))),
        BusHandlers.register(vertx, Addresses.MEMORY_EVALUATION_LIST, body -> runs.list(botId(body))),
        BusHandlers.register(vertx, Addresses.MEMORY_EVALUATION_GET, body -> runs.get(botId(body), evaluationId(body)))))
        .mapEmpty();
  }

  private static String botId(JsonObject body) {
    return Ids.requireEntityId(body.getString(Fields.BOT_ID), "Bot");
  }

  private static String evaluationId(JsonObject body) {
    return Ids.requireEntityId(body.getString(Fields.EVALUATION_ID), "Evaluation");
  }

  private static double number(JsonObject body, String field, double fallback, double min, double max) {
    Object value = body.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || n.doubleValue() < min || n.doubleValue() > max) {
      throw ParleyException.invalid(field, "'" + field + "' must be a number from " + min + " to " + max);
    }
    return n.doubleValue();
  }

  private static JsonObject object(JsonObject body, String field) {
    if (body.getValue(field) instanceof JsonObject object) {
      return object;
    }
    throw ParleyException.invalid(field, "'" + field + "' must be an object");
  }

  private static JsonArray array(JsonObject body, String field) {
    if (body.getValue(field) instanceof JsonArray array) {
      return array;
    }
    throw ParleyException.invalid(field, "'" + field + "' must be a list");
  }
}
