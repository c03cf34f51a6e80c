package dev.parley;

import com.hazelcast.config.Config;
import io.vertx.core.json.JsonObject;

/** For tests outside this package: the Hazelcast config a node builds from its {@code cluster} config. */
public final class ClusterAccess {

  private ClusterAccess() {
  }

  public static Config hazelcast(JsonObject cluster) {
    return ClusterConfig.hazelcast(cluster);
  }
}
