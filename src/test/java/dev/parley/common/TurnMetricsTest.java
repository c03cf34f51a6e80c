package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class TurnMetricsTest {

  @Test
  void a_published_turn_is_counted_with_its_tokens_cost_latency_and_retrieval_score(Vertx vertx, VertxTestContext test) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    vertx.runOnContext(v -> {
      TurnMetrics.install(vertx, registry);
      vertx.eventBus().publish(Addresses.EVENTS_TURN_COMPLETED, new JsonObject()
          .put(Fields.BOT_ID, "bot_a").put(Fields.SESSION_ID, "session-1").put(Fields.STATUS, "complete")
          .put(Fields.USAGE, new JsonObject().put(Fields.INPUT_TOKENS, 12).put(Fields.OUTPUT_TOKENS, 30).put(Fields.COST, 0.002))
          .put(Fields.LATENCY_MS, 250L).put("top_score", 0.81));
      vertx.setTimer(100, t -> test.verify(() -> {
        assertThat(registry.get("parley.turns").tag("bot", "bot_a").tag("status", "complete").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("parley.tokens").tag("kind", "output").counter().count()).isEqualTo(30.0);
        assertThat(registry.get("parley.cost").counter().count()).isEqualTo(0.002);
        assertThat(registry.get("parley.turn.latency").timer().count()).isEqualTo(1);
        assertThat(registry.get("parley.retrieval.top.score").summary().max()).isEqualTo(0.81);
        assertThat(registry.get("parley.sessions.active").gauge().value()).isEqualTo(1.0);
        test.completeNow();
      }));
    });
  }
}
