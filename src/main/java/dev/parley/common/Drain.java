package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a clustered node leaves without failing a request: it first takes its service addresses out of the
 * cluster's view ({@link #withdraw}), so that the other nodes stop sending here, while its handlers stay
 * registered locally; then it waits until the requests they are working on are answered ({@link #idle}).
 *
 * <p>Unregistering a consumer instead would lose requests: the other nodes learn of it a few milliseconds
 * later, and a clustered message that reaches a node with no handler is dropped without a reply, so its
 * sender waits out its whole timeout. Withdrawn, a request sent on a stale view still finds its handler.
 */
public final class Drain {

  private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
  private static final String REGISTRY = "parley.drain";
  private static final long POLL_MS = 50;

  private Drain() {
  }

  /** Records that this node serves {@code address} cluster-wide (withdrawn first when it leaves). */
  public static void serves(Vertx vertx, String address) {
    state(vertx).served.put(address, Boolean.TRUE);
  }

  /** Counts a request as in progress; the returned action, run once it is answered, ends it (once). */
  static Runnable enter(Vertx vertx) {
    AtomicInteger inFlight = state(vertx).inFlight;
    inFlight.incrementAndGet();
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        inFlight.decrementAndGet();
      }
    };
  }

  /** Requests this node's handlers are working on. */
  public static int inFlight(Vertx vertx) {
    return state(vertx).inFlight.get();
  }

  /**
   * Removes this node's registrations of the addresses it serves from the cluster's view, keeping the
   * handlers; an address no other node serves stays. Does nothing on a process that is not clustered.
   */
  public static Future<Void> withdraw(Vertx vertx) {
    if (!vertx.isClustered()) {
      return Future.succeededFuture();
    }
    ClusterManager cluster = ((VertxInternal) vertx).clusterManager();
    String node = cluster.getNodeId();
    List<Future<Integer>> removed = new ArrayList<>();
    for (String address : state(vertx).served.keySet()) {
      Promise<List<RegistrationInfo>> registrations = Promise.promise();
      cluster.getRegistrations(address, registrations);
      removed.add(registrations.future().compose(infos -> {
        boolean servedElsewhere = infos.stream().anyMatch(info -> !info.localOnly() && !node.equals(info.nodeId()));
        List<Future<Void>> own = new ArrayList<>();
        for (RegistrationInfo info : infos) {
          // the only node serving an address keeps it: its requests are served until it leaves, not refused now
          if (servedElsewhere && node.equals(info.nodeId()) && !info.localOnly()) {
            Promise<Void> gone = Promise.promise();
            cluster.removeRegistration(address, info, gone);
            own.add(gone.future());
          }
        }
        return Future.all(own).map(own.size());
      }));
    }
    return Future.all(removed).onSuccess(all -> {
      int withdrawn = 0;
      for (int i = 0; i < removed.size(); i++) {
        withdrawn += all.<Integer>resultAt(i);
      }
      LOG.info("Withdrew {} registrations of this node from the cluster's view", withdrawn);
    }).mapEmpty();
  }

  /**
   * Until no request has been in progress for {@code quietMs} (requests sent on a view from before
   * {@link #withdraw} can still arrive for a moment), or {@code timeoutMs} went by.
   */
  public static Future<Void> idle(Vertx vertx, long quietMs, long timeoutMs) {
    return idle(vertx, quietMs, 0, timeoutMs);
  }

  /** The same, and not before the time {@code notBefore} (epoch ms). */
  public static Future<Void> idle(Vertx vertx, long quietMs, long notBefore, long timeoutMs) {
    Promise<Void> idle = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    long[] quietSince = {System.currentTimeMillis()};
    vertx.setPeriodic(POLL_MS, timer -> {
      long now = System.currentTimeMillis();
      int working = inFlight(vertx);
      if (working > 0) {
        quietSince[0] = now;
      }
      if (working == 0 && now - quietSince[0] >= quietMs && now >= notBefore) {
        vertx.cancelTimer(timer);
        idle.complete();
      } else if (now > deadline) {
        vertx.cancelTimer(timer);
        LOG.warn("{} requests were still in progress when the drain time ran out", working);
        idle.complete();
      }
    });
    return idle.future();
  }

  private static State state(Vertx vertx) {
    return NodeLocal.get(vertx, REGISTRY, State::new);
  }

  /** The served addresses and the in-flight count of one Vert.x instance. */
  private static final class State implements Shareable {
    private final Map<String, Boolean> served = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
  }
}
