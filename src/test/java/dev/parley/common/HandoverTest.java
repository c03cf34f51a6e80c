package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Handover}: on one node, a body handed over reaches its handler as the object sent and a handing-over handler's
 * reply reaches its caller as the object it built; everything else still travels as the event bus's copy.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class HandoverTest {

  private static final String ADDRESS = "parley.test.handover";

  @Test
  void a_handed_over_request_and_a_handing_over_reply_are_the_objects_sent_on_one_node(Vertx vertx,
      VertxTestContext test) {
    roundTrip(vertx, true).map(trip -> {
      assertThat(trip.received()).isSameAs(trip.request());
      assertThat(trip.answer()).isSameAs(trip.reply());
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_plain_request_and_a_plain_handler_reply_travel_as_copies(Vertx vertx, VertxTestContext test) {
    roundTrip(vertx, false).map(trip -> {
      assertThat(trip.received()).isEqualTo(trip.request()).isNotSameAs(trip.request());
      assertThat(trip.answer()).isEqualTo(trip.reply()).isNotSameAs(trip.reply());
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  /** What was sent and replied, and what each side got. */
  private record Trip(JsonObject request, JsonObject received, JsonObject reply, JsonObject answer) {
  }

  /** One request to a handler on this node, both handed over ({@code handOver}) or both the plain way. */
  private static Future<Trip> roundTrip(Vertx vertx, boolean handOver) {
    JsonObject request = new JsonObject().put("question", "hi");
    JsonObject reply = new JsonObject().put("answer", "hello");
    AtomicReference<JsonObject> received = new AtomicReference<>();
    Function<JsonObject, Future<JsonObject>> handler = body -> {
      received.set(body);
      return Future.succeededFuture(reply);
    };
    Bus bus = new Bus(vertx);
    return (handOver ? BusHandlers.registerHandingOver(vertx, ADDRESS, handler) : BusHandlers.register(vertx, ADDRESS, handler))
        .compose(v -> handOver ? bus.handOver("handover", ADDRESS, request, 5_000, 0) : bus.request("handover", ADDRESS,
            request, 5_000))
        .map(answer -> new Trip(request, received.get(), reply, answer));
  }
}
