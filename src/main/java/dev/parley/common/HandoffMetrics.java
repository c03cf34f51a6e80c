package dev.parley.common;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Metrics of humans in the conversation: {@code parley.handoffs{bot, trigger}} (requests for a person),
 * {@code parley.handoff.first_reply{bot}} (time from a request for a person to the first agent message) and
 * {@code parley.conversations{bot, state}} (conversations per bot and state, read every {@code refreshMs}, 30 s as shipped; sum
 * by state for the totals). Counted where the change is made (a local consumer of the memory node's events), so a
 * cluster counts each once. Labels stay bounded: triggers and states are closed sets, bots are the bots there are
 * (four state gauges per bot with conversations), and a deleted bot's meters are removed.
 */
public final class HandoffMetrics {

  private static final Set<String> TRIGGERS = Set.of("visitor", "keywords", "no_answer_turns", "negative_feedback", "tool");
  private static final Set<String> STATES = Set.of("bot", "waiting", "human", "closed");

  private final MeterRegistry registry;
  private final Map<String, AtomicLong> perState = new ConcurrentHashMap<>();

  private HandoffMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Starts recording when {@code registry} is there (metrics enabled), reading the conversations per state every
   * {@code refreshMs} ({@code memory.metrics_refresh_ms}); does nothing otherwise.
   */
  public static void install(Vertx vertx, MeterRegistry registry, long refreshMs) {
    if (registry == null) {
      return;
    }
    HandoffMetrics metrics = new HandoffMetrics(registry);
    vertx.eventBus().<JsonObject>localConsumer(Addresses.EVENTS_CONVERSATION_HANDOFF_REQUESTED,
        event -> metrics.handoff(event.body()));
    vertx.eventBus().<JsonObject>localConsumer(Addresses.EVENTS_CONVERSATION_MESSAGE, event -> metrics.message(event.body()));
    vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_BOT_CHANGED, event -> {
      if ("deleted".equals(event.body().getString(Fields.ACTION))) {
        metrics.forget(event.body().getString(Fields.BOT_ID));
      }
    });
    vertx.setPeriodic(Math.min(1_000, refreshMs), refreshMs, timer -> metrics.refresh(vertx));
  }

  private void handoff(JsonObject event) {
    String trigger = event.getString(Fields.TRIGGER);
    Counter.builder("parley.handoffs").description("Requests for a person").tag("bot", event.getString(Fields.BOT_ID, ""))
        .tag("trigger", TRIGGERS.contains(trigger) ? trigger : "other").register(registry).increment();
  }

  private void message(JsonObject event) {
    if (event.getValue("first_reply_ms") instanceof Number ms && ms.longValue() >= 0) {
      Timer.builder("parley.handoff.first_reply").description("Time from a request for a person to the first agent message")
          .tag("bot", event.getString(Fields.BOT_ID, "")).register(registry).record(Duration.ofMillis(ms.longValue()));
    }
  }

  private void forget(String bot) {
    for (Meter meter : registry.getMeters()) {
      String name = meter.getId().getName();
      if ((name.startsWith("parley.handoff") || name.equals("parley.conversations")) && bot.equals(meter.getId().getTag("bot"))) {
        registry.remove(meter);
      }
    }
    perState.keySet().removeIf(key -> key.startsWith(bot + "/"));
  }

  private void refresh(Vertx vertx) {
    new Bus(vertx).request(null, Addresses.CONVERSATION_PER_STATE, new JsonObject(), 5_000).onSuccess(counts -> {
      JsonObject bots = counts.getJsonObject("bots", new JsonObject());
      for (Map.Entry<String, AtomicLong> known : perState.entrySet()) {
        if (!bots.containsKey(known.getKey().substring(0, known.getKey().indexOf('/')))) {
          known.getValue().set(0);
        }
      }
      for (String bot : bots.fieldNames()) {
        for (String state : STATES) {
          gauge(bot, state).set(bots.getJsonObject(bot).getLong(state, 0L));
        }
      }
    });
  }

  private AtomicLong gauge(String bot, String state) {
    return perState.computeIfAbsent(bot + "/" + state, key -> {
      AtomicLong count = new AtomicLong();
      Gauge.builder("parley.conversations", count, AtomicLong::get).description("Conversations per bot and state")
          .tag("bot", bot).tag("state", state).register(registry);
      return count;
    });
  }
}
