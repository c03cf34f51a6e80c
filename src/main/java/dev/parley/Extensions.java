package dev.parley;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the extension verticles listed in config {@code extensions}:
 * {@code [{verticle: "com.example.MyVerticle", instances: 1, config: {…}}]}. They run on nodes
 * with the {@code extensions} role (every role of a single process; or a node of their own
 * with {@code --roles extensions}), and talk to Parley only through the event bus.
 */
final class Extensions {

  private static final Logger LOG = LoggerFactory.getLogger(Extensions.class);

  private Extensions() {
  }

  static Future<Void> deploy(Vertx vertx, JsonObject config) {
    JsonArray extensions = config.getJsonArray("extensions", new JsonArray());
    Future<Void> chain = Future.succeededFuture();
    for (Object item : extensions) {
      if (!(item instanceof JsonObject extension) || extension.getString("verticle") == null) {
        return Future.failedFuture(new IllegalArgumentException(
            "Each entry of 'extensions' needs a 'verticle' class name, got: " + item));
      }
      String verticle = extension.getString("verticle");
      JsonObject own = AppConfig.forComponent(new JsonObject(config.getMap()).put("extension",
          extension.getJsonObject("config", new JsonObject())), "extension");
      DeploymentOptions options = new DeploymentOptions().setConfig(own).setInstances(extension.getInteger("instances", 1));
      chain = chain.compose(v -> vertx.deployVerticle(verticle, options)
          .onSuccess(id -> LOG.info("Deployed extension {}", verticle))
          .mapEmpty());
    }
    return chain;
  }
}
