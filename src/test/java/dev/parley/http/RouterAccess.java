package dev.parley.http;

import dev.parley.AppConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.util.List;

/** For tests outside this package: the routes a bare HTTP verticle, configured like an app, mounts. */
public final class RouterAccess {

  private RouterAccess() {
  }

  /** Deploys an HTTP verticle on a free port with the app's config and answers its routes. */
  public static Future<List<Route>> routes(Vertx vertx, JsonObject appConfig) {
    HttpVerticle http = new HttpVerticle();
    JsonObject config = AppConfig.forComponent(appConfig, "http").put("port", 0)
        .put(AdminToken.CONFIG_KEY, AdminToken.hashHex(dev.parley.testing.TestApp.ADMIN_TOKEN));
    return vertx.deployVerticle(http, new DeploymentOptions().setConfig(config)).map(id -> http.router().getRoutes());
  }

  /**
   * Deploys {@code http} alone (no other verticle), configured as the app's HTTP component would be, on the port
   * of {@code http.port}; answers the deployment id.
   */
  public static Future<String> deploy(Vertx vertx, HttpVerticle http, JsonObject appConfig) {
    JsonObject config = AppConfig.forComponent(appConfig, "http")
        .put(AdminToken.CONFIG_KEY, AdminToken.hashHex(dev.parley.testing.TestApp.ADMIN_TOKEN));
    return vertx.deployVerticle(http, new DeploymentOptions().setConfig(config));
  }
}
