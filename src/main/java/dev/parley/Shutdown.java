package dev.parley;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.List;

/**
 * An orderly stop: the HTTP verticles go first and let the turns in flight finish (their
 * servers stop accepting and drain), while the components those turns still need keep
 * running; then Vert.x closes the rest. Closing Vert.x alone would undeploy all at once.
 */
public final class Shutdown {

  private static final String DEPLOYMENTS = "parley.deployments";

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

  /** Drains HTTP, then closes Vert.x (every other verticle and the cluster membership). */
  public static Future<Void> orderly(Vertx vertx) {
    return drainHttp(vertx).eventually(vertx::close);
  }
}
