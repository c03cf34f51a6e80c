package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The heartbeat logic of {@link Heartbeats} in one process, without a cluster: handlers beat while they work
 * and stop when they answer; a request whose handler stops beating fails with 503 after three missed
 * intervals, long before its send timeout; heartbeats go to heartbeat addresses only; and an unclustered
 * node never asks for them.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class HeartbeatsTest {

  private static final long INTERVAL_MS = 200;
  private static final long SEND_TIMEOUT_MS = 20_000;

  private static String address() {
    return "parley.test.heartbeats." + UUID.randomUUID();
  }

  private static DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(SEND_TIMEOUT_MS);
  }

  /** The failure a future ended with, as a {@link ParleyException}; fails if it succeeded. */
  private static Future<ParleyException> failure(Future<?> request) {
    return request.transform(done -> done.succeeded()
        ? Future.failedFuture(new AssertionError("expected a failure, got " + done.result()))
        : Future.succeededFuture(done.cause() instanceof ParleyException parley ? parley
            : new ParleyException(0, "unexpected", String.valueOf(done.cause()))));
  }

  /** {@code value}, {@code ms} from now. */
  private static <T> Future<T> later(Vertx vertx, long ms, T value) {
    Promise<T> later = Promise.promise();
    vertx.setTimer(ms, t -> later.complete(value));
    return later.future();
  }

  /** A request that asks its handler for heartbeats to {@code heartbeats}, as one from another node does. */
  private static Future<Message<JsonObject>> askingForHeartbeats(Vertx vertx, String handler, String heartbeats,
      String id) {
    return vertx.eventBus().request(handler, new JsonObject(), options()
        .addHeader(Fields.HEARTBEAT_ADDRESS_HEADER, heartbeats)
        .addHeader(Fields.HEARTBEAT_ID_HEADER, id)
        .addHeader(Fields.HEARTBEAT_MS_HEADER, String.valueOf(INTERVAL_MS)));
  }

  @Test
  void a_handler_that_keeps_beating_is_waited_for_well_past_three_intervals(Vertx vertx, VertxTestContext test) {
    String address = address();
    long busyMs = INTERVAL_MS * Heartbeats.MISSES * 4;
    long[] started = new long[1];
    BusHandlers.register(vertx, address, body -> later(vertx, busyMs, new JsonObject().put("echo", body.getString("ask"))))
        .compose(registered -> {
          started[0] = System.nanoTime();
          return Heartbeats.request(vertx, address, new JsonObject().put("ask", "still there?"), options(), INTERVAL_MS);
        })
        .map(reply -> {
          assertThat(reply.body().getString("echo")).isEqualTo("still there?");
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started[0])).isGreaterThanOrEqualTo(busyMs);
          return null;
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_handler_that_stops_beating_fails_the_request_with_503_node_lost_long_before_its_timeout(Vertx vertx,
      VertxTestContext test) {
    String address = address();
    long[] lastBeatAt = new long[1];
    // beats for a while, then dies without answering: its node was killed
    MessageConsumer<JsonObject> dying = vertx.eventBus().consumer(address, message -> {
      Runnable stop = Heartbeats.beat(vertx, message);
      vertx.setTimer(INTERVAL_MS * 4, t -> {
        stop.run();
        lastBeatAt[0] = System.nanoTime();
      });
    });
    dying.completion()
        .compose(registered -> {
          long started = System.nanoTime();
          return failure(Heartbeats.request(vertx, address, new JsonObject(), options(), INTERVAL_MS))
              .map(error -> {
                long now = System.nanoTime();
                assertThat(error.status()).isEqualTo(503);
                assertThat(error.code()).isEqualTo("node_lost");
                assertThat(lastBeatAt[0]).as("it kept the request alive while it beat").isNotZero();
                assertThat(TimeUnit.NANOSECONDS.toMillis(now - lastBeatAt[0]))
                    .isGreaterThanOrEqualTo(INTERVAL_MS * (Heartbeats.MISSES - 1));
                assertThat(TimeUnit.NANOSECONDS.toMillis(now - started)).isLessThan(SEND_TIMEOUT_MS / 2);
                return null;
              });
        })
        .eventually(dying::unregister)
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_provider_request_whose_handler_never_beats_fails_with_provider_node_lost(Vertx vertx, VertxTestContext test) {
    String address = Addresses.customProviderComplete("silent-" + UUID.randomUUID().toString().substring(0, 8));
    MessageConsumer<JsonObject> silent = vertx.eventBus().consumer(address, message -> {
      // received, then nothing: the node died at once
    });
    silent.completion()
        .compose(registered -> failure(Heartbeats.request(vertx, address, new JsonObject(), options(), INTERVAL_MS)))
        .map(error -> {
          assertThat(error.status()).isEqualTo(503);
          assertThat(error.code()).isEqualTo("provider_node_lost");
          assertThat(error.toJson().encode()).doesNotContain(address);
          return null;
        })
        .eventually(silent::unregister)
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void heartbeats_go_out_every_interval_while_the_handler_works_and_stop_once_it_has_answered(Vertx vertx,
      VertxTestContext test) {
    String handler = address();
    String heartbeats = Addresses.HEARTBEAT_PREFIX + "test-" + UUID.randomUUID();
    List<String> beats = new CopyOnWriteArrayList<>();
    Promise<Void> twoBeats = Promise.promise();
    MessageConsumer<JsonObject> watcher = vertx.eventBus().consumer(heartbeats, beat -> {
      beats.add(beat.body().getString(Fields.HEARTBEAT_ID));
      if (beats.size() == 2) {
        twoBeats.complete();
      }
    });
    // answers once its caller has had two heartbeats
    Future.all(watcher.completion(), BusHandlers.register(vertx, handler, body -> twoBeats.future()
            .map(v -> new JsonObject().put("done", true))))
        .compose(registered -> askingForHeartbeats(vertx, handler, heartbeats, "request-1"))
        .compose(reply -> {
          assertThat(reply.body().getBoolean("done")).isTrue();
          int atReply = beats.size();
          return later(vertx, INTERVAL_MS * 5, null).map(v -> beats.size()).map(count -> {
            assertThat(beats).hasSizeGreaterThanOrEqualTo(2).containsOnly("request-1");
            assertThat(count).as("heartbeats after the answer").isEqualTo(atReply);
            return null;
          });
        })
        .eventually(watcher::unregister)
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_heartbeat_address_outside_the_heartbeat_prefix_gets_nothing(Vertx vertx, VertxTestContext test) {
    String handler = address();
    String victim = "parley.test.victim." + UUID.randomUUID();
    AtomicInteger received = new AtomicInteger();
    MessageConsumer<JsonObject> target = vertx.eventBus().consumer(victim, m -> received.incrementAndGet());
    Future.all(target.completion(),
            BusHandlers.register(vertx, handler, body -> later(vertx, INTERVAL_MS * 5, new JsonObject())))
        .compose(registered -> askingForHeartbeats(vertx, handler, victim, "request-2"))
        .map(reply -> {
          assertThat(received.get()).isZero();
          return null;
        })
        .eventually(target::unregister)
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_node_that_is_not_clustered_never_asks_for_heartbeats(Vertx vertx, VertxTestContext test) {
    String address = address();
    List<Message<JsonObject>> seen = new CopyOnWriteArrayList<>();
    // no local alias: the request takes the path of a request to another node
    MessageConsumer<JsonObject> spy = vertx.eventBus().consumer(address, m -> {
      seen.add(m);
      m.reply(new JsonObject());
    });
    spy.completion()
        .compose(v -> new Bus(vertx).request("req-1", address, new JsonObject(), SEND_TIMEOUT_MS, INTERVAL_MS))
        .map(reply -> {
          assertThat(vertx.isClustered()).isFalse();
          assertThat(seen).hasSize(1);
          assertThat(seen.get(0).headers().contains(Fields.HEARTBEAT_ADDRESS_HEADER)).isFalse();
          assertThat(seen.get(0).headers().get(Fields.REQUEST_ID_HEADER)).isEqualTo("req-1");
          assertThat(Timeouts.from(null).heartbeatMs()).isEqualTo(3_000);
          assertThat(Timeouts.from(new JsonObject().put("heartbeat_ms", 0)).heartbeatMs()).isZero();
          return null;
        })
        .eventually(spy::unregister)
        .onComplete(test.succeedingThenComplete());
  }
}
