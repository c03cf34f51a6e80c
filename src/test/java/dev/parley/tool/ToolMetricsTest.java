package dev.parley.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The labels of the tool metrics stay bounded whatever tools the bots define and whatever reasons come back. */
class ToolMetricsTest {

  @Test
  void past_200_tools_a_node_counts_new_ones_as_other_and_unknown_reasons_as_other() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ToolMetrics metrics = new ToolMetrics(registry);
    for (int i = 0; i < ToolMetrics.MAX_TOOLS + 50; i++) {
      metrics.record("http", "tool_" + i, "failed", "reason_" + (i % 7), 5);
    }
    metrics.record("http", "tool_0", "done", null, 12);
    metrics.record("bus", "late_bus_tool", "failed", "timeout", 10_000);
    Set<String> tools = registry.getMeters().stream().map(m -> m.getId().getTag("tool")).collect(Collectors.toSet());
    assertThat(tools).hasSize(ToolMetrics.MAX_TOOLS + 2).contains("http:tool_0", "http:tool_199", "http:other", "bus:other")
        .doesNotContain("http:tool_200", "bus:late_bus_tool");
    Set<String> reasons = registry.getMeters().stream().map(m -> m.getId().getTag("reason"))
        .filter(r -> r != null).collect(Collectors.toSet());
    assertThat(reasons).containsExactlyInAnyOrder("other", "timeout");
    assertThat(registry.get("parley.tool.calls").tag("tool", "http:other").tag("status", "failed").counter().count())
        .isEqualTo(50.0);
    assertThat(registry.get("parley.tool.calls").tag("tool", "http:tool_0").tag("status", "done").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("parley.tool.call").tag("tool", "bus:other").timer().count()).isEqualTo(1);
    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().getTags()).allMatch(tag -> Set.of("tool", "status", "reason").contains(tag.getKey()));
    }
  }
}
