package dev.parley;

import dev.parley.common.Drain;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An orderly stop: the HTTP verticles go first and let the turns in flight finish (their
 * servers stop accepting and drain), while the components those turns still need keep
 * running; then Vert.x closes the rest. Closing Vert.x alone would undeploy all at once.
 *
 * <p>A clustered node first takes its service addresses out of the cluster's view, so the other nodes
 * send their requests elsewhere, and answers the requests it already has before it leaves ({@link Drain}):
 * a rolling restart fails no request.
 */
public final class Shutdown {

  private static final String DEPLOYMENTS = "parley.deployments";
  /** How long a node that left the view goes on answering requests sent on an older view. */
  private static final long QUIET_MS = 500;
  private static final long WITHDRAW_TIMEOUT_S = 3;
  /**
   * How long a node that left the view goes on serving at least: the other nodes learn of the withdrawal through
   * the cluster's events, which a busy machine can hold back for longer than {@link #QUIET_MS}, and a request that
   * reaches a node after its handlers are gone is dropped unanswered.
   */
  private static final long PROPAGATION_MS = 2_000;

  private Shutdown() {
  }

  static void record(Vertx vertx, String role, String deploymentId) {
    LocalMap<String, JsonArray> deployments = vertx.sharedData().getLocalMap(DEPLOYMENTS);
    JsonArray ids = deployments.getOrDefault(role, new JsonArray()).copy().add(deploymentId);
    deployments.put(role, ids);
  }

  /** Undeploys this process's HTTP verticles, waiting for their requests to finish. */
  public static Future<Void> drainHttp(Vertx vertx) {
    LocalMap<String, JsonArray> deployments = vertx.sharedData().getLocalMap(DEPLOYMENTS);
    JsonArray http = deployments.remove("http");
    List<Future<Void>> undeployed = new ArrayList<>();
    if (http != null) {
      for (Object id : http) {
        undeployed.add(vertx.undeploy(id.toString()));
      }
    }
    return Future.join(undeployed).mapEmpty();
  }

  /**
   * Withdraws a clustered node's addresses and drains HTTP, then waits for the requests its handlers work on
   * (until {@code graceMs} after the start, at least {@code QUIET_MS}), then closes Vert.x (every other verticle
   * and the cluster membership).
   */
  public static Future<Void> orderly(Vertx vertx, long graceMs) {
    if (!vertx.isClustered()) {
      return drainHttp(vertx).eventually(vertx::close);
    }
    long until = System.currentTimeMillis() + graceMs;
    // on the cut-off side of a partition the cluster's maps may not answer: drain anyway
    long[] withdrawnAt = {0};
    return Drain.withdraw(vertx).timeout(WITHDRAW_TIMEOUT_S, TimeUnit.SECONDS).otherwiseEmpty()
        .onComplete(v -> withdrawnAt[0] = System.currentTimeMillis())
        .compose(v -> drainHttp(vertx))
        .eventually(() -> Drain.idle(vertx, QUIET_MS, withdrawnAt[0] + PROPAGATION_MS,
            Math.max(QUIET_MS, until - System.currentTimeMillis())))
        .eventually(vertx::close);
  }
}
