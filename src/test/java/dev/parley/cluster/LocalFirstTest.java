package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Bus;
import dev.parley.common.BusHandlers;
import dev.parley.common.Fields;
import dev.parley.common.LocalFirst;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two clustered nodes serve the same address: each node's requests stay on it while it can serve them, and
 * only requests that leave their node ask for heartbeats.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class LocalFirstTest {

  private static final String ADDRESS = "parley.test.where";

  private final List<Vertx> nodes = new ArrayList<>();

  /** Answers with the name of the node it runs on. */
  static final class Where extends VerticleBase {
    private final String node;

    Where(String node) {
      this.node = node;
    }

    @Override
    public Future<?> start() {
      return BusHandlers.register(vertx, ADDRESS, body -> Future.succeededFuture(new JsonObject().put("node", node)));
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (Vertx node : nodes) {
      node.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void requests_prefer_a_handler_on_their_own_node_and_fall_back_to_the_cluster(VertxTestContext test) {
    int port = 20_000 + (int) (Math.random() * 20_000);
    JsonObject cluster = new JsonObject().put("name", "parley-local-" + port).put("host", "127.0.0.1").put("port", port)
        .put("members", new JsonArray().add("127.0.0.1:" + port).add("127.0.0.1:" + (port + 1)));
    node(cluster).compose(a -> node(cluster.copy().put("port", port + 1)).compose(b -> a.deployVerticle(new Where("a"))
        .compose(aId -> b.deployVerticle(new Where("b")).compose(bId -> answers(a, 40).compose(fromA -> {
          assertThat(fromA).as("node a's requests").containsOnly("a");
          return answers(b, 40);
        }).compose(fromB -> {
          assertThat(fromB).as("node b's requests").containsOnly("b");
          return a.undeploy(aId);
        }).compose(v -> answers(a, 10)).map(afterUndeploy -> {
          assertThat(afterUndeploy).as("node a without its own handler").containsOnly("b");
          return afterUndeploy;
        }))))).onComplete(test.succeedingThenComplete());
  }

  @Test
  void only_requests_that_leave_their_node_ask_for_heartbeats(VertxTestContext test) {
    int port = 20_000 + (int) (Math.random() * 20_000);
    JsonObject cluster = new JsonObject().put("name", "parley-beats-" + port).put("host", "127.0.0.1").put("port", port)
        .put("members", new JsonArray().add("127.0.0.1:" + port).add("127.0.0.1:" + (port + 1)));
    // only node b serves the address; it tells whether a request asked for heartbeats
    Handler<Message<JsonObject>> handler = message -> message.reply(new JsonObject()
        .put("heartbeats", message.headers().contains(Fields.HEARTBEAT_ADDRESS_HEADER)));
    node(cluster).compose(a -> node(cluster.copy().put("port", port + 1)).compose(b -> Future.all(
            b.eventBus().consumer(ADDRESS, handler).completion(),
            LocalFirst.registerAlias(b, ADDRESS, handler).completion())
        .compose(registered -> new Bus(a).request("from-a", ADDRESS, new JsonObject(), 5_000, 1_000))
        .compose(fromA -> {
          assertThat(fromA.getBoolean("heartbeats")).as("a request from the node without a handler").isTrue();
          return new Bus(b).request("from-b", ADDRESS, new JsonObject(), 5_000, 1_000);
        })
        .map(fromB -> {
          assertThat(fromB.getBoolean("heartbeats")).as("a request served on its own node").isFalse();
          return null;
        })))
        .onComplete(test.succeedingThenComplete());
  }

  private Future<Vertx> node(JsonObject cluster) {
    return ClusterTest.node(cluster).onSuccess(nodes::add);
  }

  /** Who answered {@code count} sequential requests sent from {@code node}. */
  private static Future<List<String>> answers(Vertx node, int count) {
    List<String> who = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      chain = chain.compose(v -> new Bus(node).request(null, ADDRESS, new JsonObject(), 5_000)
          .map(reply -> {
            who.add(reply.getString("node"));
            return null;
          }));
    }
    return chain.map(v -> who);
  }
}
