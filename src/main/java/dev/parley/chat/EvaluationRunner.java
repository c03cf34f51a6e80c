package dev.parley.chat;

import dev.parley.common.Clients;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.Hashes;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs evaluations: a bot's questions through its turn ({@link EvaluationTurn}: retrieval and the bot's provider,
 * stateless, nothing stored as a conversation, no tools offered, not counted in usage or the daily budget) in the
 * background, {@code concurrency} questions at a time, at most {@code maxRunning} runs at once on this instance
 * (429 {@code too_many_evaluations} beyond) and one per bot (memory's 409 {@code evaluation_running}). The run is
 * stored first with the bot's settings as they are run ({@link #settings}); memory hears its progress after each
 * question and its measures ({@link EvaluationScores}) at the end, and a heartbeat every {@code heartbeatMs} while it
 * runs (a question can take a model's whole timeout), by which a memory node of a cluster tells it from a run whose
 * node is gone. A run that memory no longer holds as running (marked {@code interrupted}) stops at its next question.
 * Used from one event loop.
 */
public final class EvaluationRunner {

  /** The heartbeat interval unless configured ({@code http.evaluations.heartbeat_ms}). */
  public static final long DEFAULT_HEARTBEAT_MS = 15_000;

  private static final Logger LOG = LoggerFactory.getLogger(EvaluationRunner.class);

  /**
   * The heartbeat interval of {@code configuredMs}: {@link #DEFAULT_HEARTBEAT_MS} when not positive (0 would beat every
   * millisecond).
   */
  public static long heartbeatIntervalMs(long configuredMs) {
    return configuredMs > 0 ? configuredMs : DEFAULT_HEARTBEAT_MS;
  }

  private final Vertx vertx;
  private final Clients clients;
  private final EvaluationTurn turns;
  private final long heartbeatMs;
  private final int maxRunning;
  private final int concurrency;
  private int running;

  /**
   * {@code turnBudgetMs}: as a chat turn's; {@code maxRunning} runs at once, {@code concurrency} questions each, a
   * heartbeat every {@code heartbeatMs} ({@link #DEFAULT_HEARTBEAT_MS} when not positive).
   */
  public EvaluationRunner(Vertx vertx, Clients clients, long turnBudgetMs, int maxRunning, int concurrency,
      long heartbeatMs) {
    this.vertx = vertx;
    this.clients = clients;
    this.heartbeatMs = heartbeatIntervalMs(heartbeatMs);
    this.turns = new EvaluationTurn(clients, turnBudgetMs);
    this.maxRunning = Math.max(1, maxRunning);
    this.concurrency = Math.max(1, concurrency);
  }

  /** Stores and starts a run of {@code questions} ({@link EvaluationQuestions}) on the bot: the stored run, running. */
  public Future<JsonObject> start(String requestId, String botId, JsonArray questions) {
    if (running >= maxRunning) {
      return Future.failedFuture(new ParleyException(ErrorCodes.TOO_MANY_REQUESTS, "too_many_evaluations",
          "Evaluations are running already; try again when one has ended", null, 30));
    }
    String evalId = Ids.uuid();
    return clients.bots().getForChat(requestId, botId)
        // one document: the counts are what the settings need
        .compose(bot -> clients.rag().documents(requestId, botId, new JsonObject().put("limit", 1))
            .map(index -> settings(bot, index))
            .compose(settings -> clients.memory().evaluationCreate(requestId, botId, evalId, settings, questions))
            .onSuccess(run -> {
              running++;
              run(evalId, bot, questions).onComplete(ended -> running--);
            }));
  }

  /** The bot as it is run: provider, model, a hash of its prompt, retrieval settings, ready documents. */
  static JsonObject settings(JsonObject bot, JsonObject index) {
    String prompt = bot.getString("prompt");
    JsonObject rag = bot.getJsonObject("rag", new JsonObject());
    long ready = index.getJsonObject("counts", new JsonObject()).getLong("ready", 0L);
    return new JsonObject()
        .put("provider", bot.getString("provider"))
        .put("model", bot.getString("model"))
        .put("prompt_hash", prompt == null ? null : Hashes.sha256Hex(prompt).substring(0, 12))
        .put("temperature", bot.getValue("temperature"))
        .put("rag_enabled", rag.getBoolean("enabled", false))
        .put("top_k", rag.getInteger("top_k", 4))
        .put("min_score", rag.getValue("min_score"))
        .put("documents", ready)
        .put("embedding_model", index.getString("embedding_model"));
  }

  private Future<Void> run(String evalId, JsonObject bot, JsonArray questions) {
    JsonObject[] rows = new JsonObject[questions.size()];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    boolean[] stopped = {false};
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < Math.min(concurrency, questions.size()); w++) {
      workers.add(work(evalId, bot, questions, rows, next, done, stopped));
    }
    String beatId = "eval-" + evalId.substring(0, 8) + "-heartbeat";
    long heartbeat = vertx.setPeriodic(heartbeatMs, tick -> clients.memory().evaluationHeartbeat(beatId, evalId)
        .onSuccess(beat -> stopped[0] |= !beat.getBoolean("updated", false)));
    return Future.join(workers).transform(ended -> {
      vertx.cancelTimer(heartbeat);
      if (stopped[0]) {
        LOG.info("Evaluation {} of bot {} stopped: it is no longer running", evalId, bot.getString(Fields.ID));
        return Future.succeededFuture();
      }
      List<JsonObject> results = Arrays.asList(rows);
      Future<JsonObject> finished = ended.succeeded()
          ? clients.memory().evaluationFinish(evalId, evalId, "completed", done.get(), null,
              EvaluationScores.summary(results), new JsonArray(new ArrayList<>(results)))
          : clients.memory().evaluationFinish(evalId, evalId, "failed", done.get(),
              Failures.safe(ended.cause(), "evaluation").getMessage(), null, null);
      return finished.<Void>mapEmpty().onFailure(failure -> LOG.error("Evaluation {} could not be stored as ended ({})",
          evalId, Failures.safe(failure, "evaluation").code()));
    });
  }

  /** One worker: takes the next question until none is left or the run stopped. */
  private Future<Void> work(String evalId, JsonObject bot, JsonArray questions, JsonObject[] rows, AtomicInteger next,
      AtomicInteger done, boolean[] stopped) {
    int index = next.getAndIncrement();
    if (index >= questions.size() || stopped[0]) {
      return Future.succeededFuture();
    }
    JsonObject question = questions.getJsonObject(index);
    String requestId = "eval-" + evalId.substring(0, 8) + "-" + (index + 1);
    long started = System.currentTimeMillis();
    Promise<JsonObject> row = Promise.promise();
    turns.run(requestId, bot, question.getString(EvaluationQuestions.QUESTION))
        .map(turn -> EvaluationScores.row(index, question, turn))
        .otherwise(failure -> EvaluationScores.failedRow(index, question, Failures.safe(failure, "evaluation").code(),
            System.currentTimeMillis() - started))
        .onComplete(row);
    return row.future().compose(result -> {
      rows[index] = result;
      return clients.memory().evaluationProgress(requestId, evalId, done.incrementAndGet());
    }).compose(progress -> {
      if (!progress.getBoolean("updated", false)) {
        stopped[0] = true;
      }
      return work(evalId, bot, questions, rows, next, done, stopped);
    });
  }
}
