package dev.parley.common;

import io.vertx.core.json.JsonObject;

/**
 * Event-bus send timeouts per component, from the {@code timeouts} config object, and the heartbeat
 * interval of long requests that leave the process ({@code heartbeat_ms}, 0 turns heartbeats off;
 * see {@link Heartbeats}).
 */
public record Timeouts(long botMs, long memoryMs, long ragMs, long providerMs, long heartbeatMs) {

  public static final long DEFAULT_HEARTBEAT_MS = 3_000L;

  public Timeouts(long botMs, long memoryMs, long ragMs, long providerMs) {
    this(botMs, memoryMs, ragMs, providerMs, DEFAULT_HEARTBEAT_MS);
  }

  public static Timeouts from(JsonObject config) {
    JsonObject t = config == null ? new JsonObject() : config;
    return new Timeouts(
        t.getLong("bot_ms", 5_000L),
        t.getLong("memory_ms", 10_000L),
        t.getLong("rag_ms", 15_000L),
        t.getLong("provider_ms", 180_000L),
        t.getLong("heartbeat_ms", DEFAULT_HEARTBEAT_MS));
  }

  public JsonObject toJson() {
    return new JsonObject().put("bot_ms", botMs).put("memory_ms", memoryMs)
        .put("rag_ms", ragMs).put("provider_ms", providerMs).put("heartbeat_ms", heartbeatMs);
  }
}
