package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

  @Test
  void a_starting_node_looks_for_the_clusters_master_for_join_timeout_s_hazelcasts_5_s_as_shipped() {
    JsonObject shipped = TestApp.defaults().getJsonObject("cluster");
    assertThat(shipped.getInteger("join_timeout_s")).isEqualTo(5);
    assertThat(ClusterConfig.hazelcast(shipped).getNetworkConfig().getJoin().getTcpIpConfig()
        .getConnectionTimeoutSeconds()).isEqualTo(5);
    assertThat(ClusterConfig.hazelcast(new JsonObject()).getNetworkConfig().getJoin().getTcpIpConfig()
        .getConnectionTimeoutSeconds()).as("without the key").isEqualTo(5);
    assertThat(ClusterConfig.hazelcast(shipped.copy().put("join_timeout_s", 1)).getNetworkConfig().getJoin()
        .getTcpIpConfig().getConnectionTimeoutSeconds()).isEqualTo(1);
  }
}
