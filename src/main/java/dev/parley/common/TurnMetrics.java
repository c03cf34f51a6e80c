package dev.parley.common;

import dev.parley.db.StorageFailures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chat metrics of this process, from the turns its HTTP verticles publish (a local consumer,
 * so a cluster does not count a turn once per node): turns, tokens, cost and latency per bot,
 * retrieval scores and failures, sessions active in the last five minutes, and the database size.
 */
public final class TurnMetrics {

  private static final long ACTIVE_WINDOW_MS = 5 * 60_000;
  private static final long REFRESH_MS = 30_000;

  private final MeterRegistry registry;
  private final Map<String, Long> sessions = new HashMap<>();
  private final Map<String, BotMeters> bots = new HashMap<>();
  private final AtomicLong activeSessions = new AtomicLong();
  private final AtomicLong databaseBytes = new AtomicLong(-1);

  private TurnMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Starts recording when {@code registry} is there (metrics enabled); does nothing otherwise. */
  public static void install(Vertx vertx, MeterRegistry registry) {
    if (registry == null) {
      return;
    }
    TurnMetrics metrics = new TurnMetrics(registry);
    Gauge.builder("parley.sessions.active", metrics.activeSessions, AtomicLong::get)
        .description("Chat sessions with a turn in the last five minutes").register(registry);
    Gauge.builder("parley.database.bytes", metrics.databaseBytes, AtomicLong::get)
        .description("Size of the database").baseUnit("bytes").register(registry);
    vertx.eventBus().<JsonObject>localConsumer(Addresses.EVENTS_TURN_COMPLETED, event -> metrics.record(event.body()));
    vertx.setPeriodic(1_000, REFRESH_MS, timer -> metrics.refresh(vertx));
  }

  /** The meters of one bot, looked up once: finding a meter in the registry on every turn cost more than using it. */
  private final class BotMeters {
    private final String bot;
    private final Map<String, Counter> turns = new HashMap<>();
    private final Counter inputTokens;
    private final Counter outputTokens;
    private final Counter cost;
    private final Timer latency;
    private DistributionSummary topScore;
    private final Map<String, Counter> retrievalFailures = new HashMap<>();

    BotMeters(String bot) {
      this.bot = bot;
      inputTokens = Counter.builder("parley.tokens").description("Model tokens").tag("bot", bot).tag("kind", "input")
          .register(registry);
      outputTokens = Counter.builder("parley.tokens").description("Model tokens").tag("bot", bot).tag("kind", "output")
          .register(registry);
      cost = Counter.builder("parley.cost").description("Model cost").baseUnit("usd").tag("bot", bot).register(registry);
      latency = Timer.builder("parley.turn.latency").description("Time to a complete answer").tag("bot", bot)
          .register(registry);
    }

    Counter turns(String status) {
      return turns.computeIfAbsent(status, s -> Counter.builder("parley.turns").description("Chat turns")
          .tag("bot", bot).tag("status", s).register(registry));
    }

    /** Turns answered without passages because the search failed, by a reason from a closed set. */
    Counter retrievalFailures(String code) {
      String reason = code.startsWith("embeddings_") ? "embeddings"
          : switch (code) {
            case "timeout" -> "timeout";
            case "service_unavailable", ErrorCodes.NODE_LOST -> "unavailable";
            case StorageFailures.CODE -> "storage";
            default -> "other";
          };
      return retrievalFailures.computeIfAbsent(reason, r -> Counter.builder("parley.retrieval.failures")
          .description("Turns answered without knowledge-base passages because the search failed")
          .tag("bot", bot).tag("reason", r).register(registry));
    }

    DistributionSummary topScore() {
      if (topScore == null) {
        topScore = DistributionSummary.builder("parley.retrieval.top.score").description("Score of the best passage found")
            .tag("bot", bot).register(registry);
      }
      return topScore;
    }
  }

  private void record(JsonObject turn) {
    String bot = turn.getString(Fields.BOT_ID, "unknown");
    BotMeters meters = bots.computeIfAbsent(bot, BotMeters::new);
    meters.turns(turn.getString(Fields.STATUS, "unknown")).increment();
    JsonObject usage = turn.getJsonObject(Fields.USAGE, new JsonObject());
    meters.inputTokens.increment(usage.getInteger(Fields.INPUT_TOKENS, 0));
    meters.outputTokens.increment(usage.getInteger(Fields.OUTPUT_TOKENS, 0));
    meters.cost.increment(usage.getDouble(Fields.COST, 0.0));
    Long latency = turn.getLong(Fields.LATENCY_MS);
    if (latency != null) {
      meters.latency.record(Duration.ofMillis(latency));
    }
    String retrievalError = turn.getString(Fields.RETRIEVAL_ERROR);
    if (retrievalError != null) {
      meters.retrievalFailures(retrievalError).increment();
    }
    Double topScore = turn.getDouble("top_score");
    if (topScore != null) {
      meters.topScore().record(topScore);
    }
    sessions.put(bot + "/" + turn.getString(Fields.SESSION_ID), System.currentTimeMillis());
    activeSessions.set(sessions.size());
  }

  private void refresh(Vertx vertx) {
    long cutoff = System.currentTimeMillis() - ACTIVE_WINDOW_MS;
    sessions.values().removeIf(seen -> seen < cutoff);
    activeSessions.set(sessions.size());
    new Bus(vertx, null).request(Addresses.MEMORY_HEALTH, new JsonObject(), 5_000)
        .onSuccess(health -> databaseBytes.set(health.getLong("database_bytes", -1L)));
  }
}
