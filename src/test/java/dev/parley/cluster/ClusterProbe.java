package dev.parley.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * An extension verticle for the multi-JVM tests, deployed into each Parley process through config
 * {@code extensions}: it answers {@link #ECHO} with its node's name ({@code PARLEY_PROBE_NAME}), and serves
 * on 127.0.0.1:{@code PARLEY_PROBE_PORT}
 * <ul>
 *   <li>{@code GET /echo?count=n}: sends {@code n} requests to {@link #ECHO} from this node and answers
 *   {@code {answered_by: [names], failures}}, so a test sees which nodes this node reaches;</li>
 *   <li>{@code GET /registrations?address=a&address=b}: {@code {node_id, nodes: [ids], registrations: {address:
 *   [node ids]}}}, the cluster's subscriptions as this node reads them.</li>
 * </ul>
 */
public class ClusterProbe extends VerticleBase {

  static final String ECHO = "test.probe.echo";

  @Override
  public Future<?> start() {
    String name = System.getenv("PARLEY_PROBE_NAME");
    int port = Integer.parseInt(System.getenv("PARLEY_PROBE_PORT"));
    return vertx.eventBus().<JsonObject>consumer(ECHO, message -> message.reply(new JsonObject().put("name", name)))
        .completion()
        .compose(v -> vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1"));
  }

  private void handle(HttpServerRequest request) {
    Future<JsonObject> answer = switch (request.path()) {
      case "/echo" -> echo(Integer.parseInt(request.getParam("count", "6")));
      case "/registrations" -> registrations(request.params().getAll("address"));
      default -> Future.failedFuture("no such probe: " + request.path());
    };
    answer.onComplete(result -> request.response().setStatusCode(result.succeeded() ? 200 : 500)
        .putHeader("Content-Type", "application/json")
        .end(result.succeeded() ? result.result().encode() : new JsonObject().put("error", result.cause().toString()).encode()));
  }

  private Future<JsonObject> echo(int count) {
    List<Future<Object>> replies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      replies.add(vertx.eventBus().<JsonObject>request(ECHO, new JsonObject(), new DeliveryOptions().setSendTimeout(2_000))
          .map(reply -> (Object) reply.body().getString("name")).otherwise(failure -> null));
    }
    return Future.join(replies).map(all -> {
      JsonArray names = new JsonArray();
      int failures = 0;
      for (int i = 0; i < count; i++) {
        Object name = all.resultAt(i);
        if (name == null) {
          failures++;
        } else if (!names.contains(name)) {
          names.add(name);
        }
      }
      return new JsonObject().put("answered_by", names).put("failures", failures);
    });
  }

  private Future<JsonObject> registrations(List<String> addresses) {
    ClusterManager cluster = ((VertxInternal) vertx).clusterManager();
    JsonObject byAddress = new JsonObject();
    List<Future<Void>> read = new ArrayList<>();
    for (String address : addresses) {
      Promise<List<RegistrationInfo>> infos = Promise.promise();
      cluster.getRegistrations(address, infos);
      read.add(infos.future().map(list -> {
        JsonArray nodes = new JsonArray();
        list.stream().filter(info -> !info.localOnly()).map(RegistrationInfo::nodeId).distinct().forEach(nodes::add);
        synchronized (byAddress) {
          byAddress.put(address, nodes);
        }
        return null;
      }));
    }
    return Future.all(read).map(v -> new JsonObject().put("node_id", cluster.getNodeId())
        .put("nodes", new JsonArray(cluster.getNodes())).put("registrations", byAddress));
  }
}
