package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Bus;
import dev.parley.common.BusHandlers;
import dev.parley.common.Drain;
import dev.parley.common.Fields;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyProcesses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How a node leaves without failing requests ({@link Drain}), and requests delivered after their deadline
 * ({@link BusHandlers#accept}). Two clustered Vert.x instances in this JVM: {@code one} serves an address, and
 * {@code two} sends to it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class DrainTest {

  private static final String ADDRESS = "test.drain.slow";
  private static final long WORK_MS = 400;

  private Vertx one;
  private Vertx two;

  @AfterEach
  void stop() throws Exception {
    for (Vertx node : new Vertx[] {one, two}) {
      if (node != null) {
        node.close().await(20, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void a_withdrawn_node_answers_what_it_has_and_the_others_stop_sending_to_it(VertxTestContext test) {
    AtomicInteger served = new AtomicInteger();
    cluster(served, true).compose(v -> {
      // plain requests from two, round-robin over both nodes (Bus would prefer two's own handler)
      List<Future<String>> inFlight = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inFlight.add(answeredBy(two));
      }
      return Await.until(one, () -> served.get() > 0, 5_000)
          .compose(started -> Drain.withdraw(one))
          .compose(withdrawn -> Future.all(inFlight))
          .compose(all -> {
            assertThat(all.<String>list()).as("requests in flight when one withdrew").contains("one");
            return onlyTwoWithin(10_000);
          })
          // the withdrawn node still serves its own requests, through its local handler
          .compose(onlyTwo -> new Bus(one).request("local", ADDRESS, new JsonObject(), 10_000))
          .map(local -> {
            assertThat(local.getString("node")).isEqualTo("one");
            return null;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_address_no_other_node_serves_stays_registered(VertxTestContext test) {
    cluster(new AtomicInteger(), false)
        .compose(v -> Drain.withdraw(one))
        .compose(v -> new Bus(two).request("after-withdraw", ADDRESS, new JsonObject(), 10_000))
        .map(answer -> {
          assertThat(answer.getString("node")).as("served until the node leaves").isEqualTo("one");
          return null;
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void idle_completes_only_once_the_requests_in_progress_are_answered(VertxTestContext test) {
    AtomicLong answeredAt = new AtomicLong();
    cluster(new AtomicInteger(), false).compose(v -> {
      new Bus(two).request("slow", ADDRESS, new JsonObject(), 10_000)
          .onSuccess(answer -> answeredAt.set(System.nanoTime()));
      return Await.until(one, () -> Drain.inFlight(one) == 1, 5_000)
          .compose(started -> Drain.idle(one, 100, 10_000))
          .map(idle -> {
            long idleAt = System.nanoTime();
            assertThat(answeredAt.get()).as("the request was answered before idle").isPositive();
            assertThat(idleAt).isGreaterThan(answeredAt.get());
            assertThat(Drain.inFlight(one)).isZero();
            return null;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_request_delivered_after_its_deadline_is_not_processed(Vertx vertx, VertxTestContext test) {
    AtomicInteger served = new AtomicInteger();
    BusHandlers.register(vertx, ADDRESS, body -> {
      served.incrementAndGet();
      return Future.succeededFuture(new JsonObject());
    }).compose(v -> vertx.eventBus().request(ADDRESS, new JsonObject(), new DeliveryOptions().setSendTimeout(500)
            .addHeader(Fields.DEADLINE_HEADER, String.valueOf(System.currentTimeMillis() - 1)))
        .<Void>transform(late -> {
          assertThat(late.failed()).isTrue();
          assertThat(((ReplyException) late.cause()).failureType()).isEqualTo(ReplyFailure.TIMEOUT);
          assertThat(served.get()).as("requests processed past their deadline").isZero();
          return Future.succeededFuture();
        }))
        .compose(v -> new Bus(vertx).request("on-time", ADDRESS, new JsonObject(), 5_000))
        .map(onTime -> {
          assertThat(served.get()).isEqualTo(1);
          return null;
        })
        .onComplete(test.succeedingThenComplete());
  }

  /**
   * {@code one} serves {@link #ADDRESS} (answers {@code {node: "one"}} after {@value #WORK_MS} ms), and so does
   * {@code two} when {@code onBoth} (at once); until two reaches one.
   */
  private Future<Void> cluster(AtomicInteger served, boolean onBoth) {
    int port = ParleyProcesses.hazelcastPort();
    JsonObject cluster = new JsonObject().put("name", "parley-drain-" + port).put("host", "127.0.0.1").put("port", port)
        .put("members", new JsonArray().add("127.0.0.1:" + port).add("127.0.0.1:" + (port + 1)));
    return node(cluster).compose(first -> {
      one = first;
      return BusHandlers.register(one, ADDRESS, body -> {
        served.incrementAndGet();
        Promise<JsonObject> answer = Promise.promise();
        one.setTimer(WORK_MS, t -> answer.complete(new JsonObject().put("node", "one")));
        return answer.future();
      });
    }).compose(v -> node(cluster.copy().put("port", port + 1))).compose(second -> {
      two = second;
      return onBoth ? BusHandlers.register(two, ADDRESS, body -> Future.succeededFuture(new JsonObject().put("node", "two")))
          : Future.<Void>succeededFuture();
    }).compose(v -> reachable(served));
  }

  /** Until a plain request from two is answered by one (two's view has caught up with one's registration). */
  private Future<Void> reachable(AtomicInteger served) {
    return answeredBy(two).recover(notYet -> Future.succeededFuture("nobody")).compose(node -> "one".equals(node)
        ? Future.<Void>succeededFuture().onSuccess(v -> served.set(0))
        : two.timer(100).compose(t -> reachable(served)));
  }

  /** Which node answered a plain (round-robin) request sent from {@code from}. */
  private static Future<String> answeredBy(Vertx from) {
    return from.eventBus().<JsonObject>request(ADDRESS, new JsonObject(), new DeliveryOptions().setSendTimeout(5_000))
        .map(reply -> reply.body().getString("node"));
  }

  /** Until six requests in a row from two are all answered by two. */
  private Future<Void> onlyTwoWithin(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    List<Future<String>> round = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      round.add(answeredBy(two));
    }
    return Future.all(round).compose(all -> {
      if (all.<String>list().stream().allMatch("two"::equals)) {
        return Future.succeededFuture();
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new AssertionError("requests still reached the withdrawn node"));
      }
      return two.timer(100).compose(t -> onlyTwoWithin(deadline - System.currentTimeMillis()));
    });
  }

  private static Future<Vertx> node(JsonObject cluster) {
    return ClusterTest.node(cluster);
  }
}
