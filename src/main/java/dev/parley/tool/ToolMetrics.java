package dev.parley.tool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Tool calls in {@code /metrics}: {@code parley_tool_calls_total{tool, status}} (done or failed),
 * {@code parley_tool_failures_total{tool, reason}} and {@code parley_tool_call_seconds{tool}}. The {@code tool}
 * label is {@code <type>:<name>} for the first {@value #MAX_TOOLS} tools a node sees and {@code <type>:other}
 * after; {@code reason} is one of {@link ToolFailure}'s codes. Nothing is recorded when metrics are off.
 */
final class ToolMetrics {

  static final int MAX_TOOLS = 200;
  private static final Set<String> REASONS = Set.of("invalid_arguments", "timeout", "tool_failed", "tool_unreachable",
      "response_too_large", "url_not_allowed", "rate_limited", "tool_unavailable", "tool_misconfigured");

  private final MeterRegistry registry;
  private final Map<String, Meters> tools = new HashMap<>();

  ToolMetrics() {
    this(BackendRegistries.getDefaultNow());
  }

  /** Counting into {@code registry} (null: nothing is recorded). */
  ToolMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  private record Meters(Counter done, Counter failed, Timer latency, Map<String, Counter> reasons) {
  }

  void record(String type, String name, String status, String reason, long latencyMs) {
    if (registry == null) {
      return;
    }
    String label = type + ":" + name;
    if (!tools.containsKey(label) && tools.size() >= MAX_TOOLS) {
      label = type + ":other";
    }
    String tool = label;
    Meters meters = tools.computeIfAbsent(tool, t -> new Meters(
        Counter.builder("parley.tool.calls").description("Tool calls").tag("tool", t).tag("status", "done")
            .register(registry),
        Counter.builder("parley.tool.calls").description("Tool calls").tag("tool", t).tag("status", "failed")
            .register(registry),
        Timer.builder("parley.tool.call").description("Time a tool call took").tag("tool", t).register(registry),
        new HashMap<>()));
    ("done".equals(status) ? meters.done() : meters.failed()).increment();
    meters.latency().record(Duration.ofMillis(Math.max(0, latencyMs)));
    if (reason != null) {
      String known = REASONS.contains(reason) ? reason : "other";
      meters.reasons().computeIfAbsent(known, r -> Counter.builder("parley.tool.failures")
          .description("Failed tool calls by reason").tag("tool", tool).tag("reason", r).register(registry)).increment();
    }
  }
}
