package dev.parley.common;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a node that has just joined a cluster can serve turns without stalling: until the cluster has moved
 * its share of the partitions to it (Hazelcast's "local member safe") and it has looked up, once, where each
 * address a chat turn uses is served, lookups of the bus's registrations can wait for the migration, for
 * seconds on a busy machine, and a turn sent to the node meanwhile can outlive its bus timeouts. The node
 * reports not ready until then ({@code /health/ready}, check {@code cluster}); once warm it stays warm.
 * A node that is not clustered is warm from the start.
 */
public final class ClusterWarmup {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterWarmup.class);
  private static final String REGISTRY = "parley.cluster.warmup";
  private static final long POLL_MS = 200;
  private static final long LOOKUP_TIMEOUT_MS = 1_000;
  /** The addresses a chat turn sends to. */
  private static final List<String> TURN_ADDRESSES = List.of(Addresses.BOT_GET, Addresses.MEMORY_USAGE,
      Addresses.MEMORY_HISTORY, Addresses.MEMORY_APPEND, Addresses.RAG_SEARCH, Addresses.PROVIDER_COMPLETE,
      Addresses.PROVIDER_STREAM);

  private ClusterWarmup() {
  }

  /** Whether this node is warm; the first call starts warming it up. */
  public static boolean warm(Vertx vertx) {
    State state = state(vertx);
    if (!vertx.isClustered() || state.warm.get()) {
      return true;
    }
    if (state.started.compareAndSet(false, true)) {
      vertx.setTimer(1, t -> poll(vertx, state));
    }
    return false;
  }

  private static void poll(Vertx vertx, State state) {
    ClusterManager cluster = ((VertxInternal) vertx).clusterManager();
    Future<Boolean> safe = vertx.executeBlocking(() -> migrated(cluster), false);
    safe.compose(migrated -> migrated ? lookedUp(vertx, cluster) : Future.succeededFuture(false))
        .onComplete(done -> {
          if (done.succeeded() && done.result()) {
            state.warm.set(true);
            LOG.info("Joined the cluster: partitions settled and the addresses of a chat turn looked up");
          } else {
            vertx.setTimer(POLL_MS, t -> poll(vertx, state));
          }
        });
  }

  private static boolean migrated(ClusterManager cluster) {
    if (cluster instanceof HazelcastClusterManager hazelcast) {
      HazelcastInstance instance = hazelcast.getHazelcastInstance();
      return instance != null && instance.getPartitionService().isLocalMemberSafe();
    }
    return true;
  }

  private static Future<Boolean> lookedUp(Vertx vertx, ClusterManager cluster) {
    List<Future<List<RegistrationInfo>>> lookups = new ArrayList<>();
    for (String address : TURN_ADDRESSES) {
      Promise<List<RegistrationInfo>> registrations = Promise.promise();
      cluster.getRegistrations(address, registrations);
      lookups.add(registrations.future().timeout(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS));
    }
    return Future.all(lookups).map(true);
  }

  private static State state(Vertx vertx) {
    return NodeLocal.get(vertx, REGISTRY, State::new);
  }

  private static final class State implements Shareable {
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean warm = new AtomicBoolean();
  }
}
