package dev.parley.common;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chat metrics of this process, from the turns its HTTP verticles publish (a local consumer,
 * so a cluster does not count a turn once per node): turns, tokens, cost and latency per bot,
 * retrieval scores and failures, sessions active in the last five minutes, and the database size.
 * Nothing here grows with requests: a deleted bot's meters are removed ({@code parley.events.bot.changed}), and
 * at most {@value #MAX_SESSIONS} active sessions are tracked (the oldest dropped first; the gauge then shows
 * that many).
 */
public final class TurnMetrics {

  private static final long ACTIVE_WINDOW_MS = 5 * 60_000;
  private static final long REFRESH_MS = 30_000;
  static final int MAX_SESSIONS = 100_000;

  private final MeterRegistry registry;
  /** Session → time of its last turn, oldest first (a turn moves its session to the end). */
  private final LinkedHashMap<String, Long> sessions = new LinkedHashMap<>(1_024, 0.75f, true);
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
    vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_BOT_CHANGED, event -> {
      if ("deleted".equals(event.body().getString(Fields.ACTION))) {
        metrics.forget(event.body().getString(Fields.BOT_ID));
      }
    });
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

    void remove() {
      turns.values().forEach(registry::remove);
      retrievalFailures.values().forEach(registry::remove);
      for (var meter : new io.micrometer.core.instrument.Meter[] {inputTokens, outputTokens, cost, latency, topScore}) {
        if (meter != null) {
          registry.remove(meter);
        }
      }
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

  /**
   * Counts one published turn. The event is public (an extension may publish one too), so a field that is
   * missing, null or not a number counts as nothing rather than failing the whole record.
   */
  private void record(JsonObject turn) {
    String bot = turn.getString(Fields.BOT_ID, "unknown");
    BotMeters meters = bots.computeIfAbsent(bot, BotMeters::new);
    meters.turns(turn.getString(Fields.STATUS, "unknown")).increment();
    JsonObject usage = turn.getValue(Fields.USAGE) instanceof JsonObject u ? u : new JsonObject();
    meters.inputTokens.increment(amount(usage, Fields.INPUT_TOKENS));
    meters.outputTokens.increment(amount(usage, Fields.OUTPUT_TOKENS));
    meters.cost.increment(amount(usage, Fields.COST));
    if (turn.getValue(Fields.LATENCY_MS) instanceof Number latency && latency.longValue() >= 0) {
      meters.latency.record(Duration.ofMillis(latency.longValue()));
    }
    String retrievalError = turn.getString(Fields.RETRIEVAL_ERROR);
    if (retrievalError != null) {
      meters.retrievalFailures(retrievalError).increment();
    }
    if (turn.getValue("top_score") instanceof Number topScore) {
      meters.topScore().record(topScore.doubleValue());
    }
    sessions.put(bot + "/" + turn.getString(Fields.SESSION_ID), System.currentTimeMillis());
    if (sessions.size() > MAX_SESSIONS) {
      sessions.remove(sessions.keySet().iterator().next());
    }
    activeSessions.set(sessions.size());
  }

  private void forget(String bot) {
    BotMeters meters = bots.remove(bot);
    if (meters != null) {
      meters.remove();
    }
    sessions.keySet().removeIf(key -> key.startsWith(bot + "/"));
    activeSessions.set(sessions.size());
  }

  /** A non-negative number of the event, else 0 (a counter cannot go down). */
  private static double amount(JsonObject json, String field) {
    return json.getValue(field) instanceof Number n && n.doubleValue() > 0 ? n.doubleValue() : 0;
  }

  private void refresh(Vertx vertx) {
    long cutoff = System.currentTimeMillis() - ACTIVE_WINDOW_MS;
    var oldest = sessions.values().iterator();
    while (oldest.hasNext() && oldest.next() < cutoff) {
      oldest.remove();
    }
    activeSessions.set(sessions.size());
    new Bus(vertx).request(null, Addresses.MEMORY_HEALTH, new JsonObject(), 5_000)
        .onSuccess(health -> databaseBytes.set(health.getLong("database_bytes", -1L)));
  }
}
