package dev.parley;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Hazelcast configuration for a Parley cluster: TCP-IP join on configured members, never multicast. */
final class ClusterConfig {

  private ClusterConfig() {
  }

  static Config hazelcast(JsonObject cluster) {
    String host = cluster.getString("host", "127.0.0.1");
    Config config = new Config();
    config.setClusterName(cluster.getString("name", "parley"));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    // A node that stops answering (frozen, or cut off) leaves the view after failure_timeout_s, instead of
    // Hazelcast's 60 s (with 10 s, healthy nodes were seen to split while the cluster replaced its master); the two halves of a healed partition merge within merge_delay_s, instead of 300 s.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds",
        String.valueOf(cluster.getInteger("failure_timeout_s", 30)));
    String mergeDelay = String.valueOf(cluster.getInteger("merge_delay_s", 10));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", mergeDelay);
    config.setProperty("hazelcast.merge.next.run.delay.seconds", mergeDelay);

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.getInteger("port", 5701)).setPortAutoIncrement(true).setPortCount(20);
    network.getInterfaces().setEnabled(true).addInterface(host);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    JsonArray members = cluster.getJsonArray("members", new JsonArray().add(host));
    // How long a starting node asks the members for the cluster's master before it claims to lead one (Hazelcast's
    // 5 s; nodes started together wait about that long).
    join.getTcpIpConfig().setEnabled(true).setMembers(members.stream().map(Object::toString).toList())
        .setConnectionTimeoutSeconds(cluster.getInteger("join_timeout_s", 5));

    // The maps Vert.x keeps its event-bus subscriptions and node data in (as in vertx-hazelcast's default file).
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.getMapConfig("__vertx.haInfo").setBackupCount(1);
    config.getMapConfig("__vertx.nodeInfo").setBackupCount(1);
    return config;
  }

  static List<String> roles(JsonObject config) {
    return config.getJsonArray("roles", new JsonArray()).stream().map(Object::toString).toList();
  }
}
