package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.ClusterWarmup;
import dev.parley.common.Drain;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyProcesses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node that joins a cluster takes no turns before it has settled in ({@link ClusterWarmup}), and a leaving
 * node goes on serving for a while after it withdrew ({@link Drain#idle(Vertx, long, long, long)}).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class ClusterWarmupTest {

  private Vertx node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_process_that_is_not_clustered_is_warm_from_the_start(Vertx vertx) {
    assertThat(ClusterWarmup.warm(vertx)).isTrue();
  }

  @Test
  void a_joining_node_is_not_warm_until_its_partitions_settled_and_the_turn_addresses_were_looked_up(
      VertxTestContext test) {
    int port = ParleyProcesses.hazelcastPort();
    JsonObject cluster = new JsonObject().put("name", "parley-warmup-" + port).put("host", "127.0.0.1")
        .put("port", port).put("members", new JsonArray().add("127.0.0.1:" + port));
    ClusterTest.node(cluster).compose(joined -> {
      node = joined;
      assertThat(ClusterWarmup.warm(node)).as("warm at the first look, before any lookup").isFalse();
      return Await.until(node, () -> ClusterWarmup.warm(node), 30_000);
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_drain_waits_until_the_time_given_even_when_nothing_is_in_flight(Vertx vertx, VertxTestContext test) {
    long started = System.currentTimeMillis();
    Drain.idle(vertx, 100, started + 1_500, 10_000).onComplete(test.succeeding(v -> test.verify(() -> {
      assertThat(System.currentTimeMillis() - started).isGreaterThanOrEqualTo(1_500);
      test.completeNow();
    })));
  }
}
