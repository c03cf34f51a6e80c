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
    JsonObject request = new JsonObject().put("question", "hi");
    JsonObject reply = new JsonObject().put("answer", "hello");
    AtomicReference<JsonObject> received = new AtomicReference<>();
    BusHandlers.registerHandingOver(vertx, ADDRESS, body -> {
      received.set(body);
      return Future.succeededFuture(reply);
    }).compose(v -> new Bus(vertx).handOver("handover", ADDRESS, request, 5_000, 0)).map(answer -> {
      assertThat(received.get()).isSameAs(request);
      assertThat(answer).isSameAs(reply);
      return null;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_plain_request_and_a_plain_handler_reply_travel_as_copies(Vertx vertx, VertxTestContext test) {
    JsonObject request = new JsonObject().put("question", "hi");
    JsonObject reply = new JsonObject().put("answer", "hello");
    AtomicReference<JsonObject> received = new AtomicReference<>();
    BusHandlers.register(vertx, ADDRESS, body -> {
      received.set(body);
      return Future.succeededFuture(reply);
    }).compose(v -> new Bus(vertx).request("handover", ADDRESS, request, 5_000)).map(answer -> {
      assertThat(received.get()).isEqualTo(request).isNotSameAs(request);
      assertThat(answer).isEqualTo(reply).isNotSameAs(reply);
      return null;
    }).onComplete(test.succeedingThenComplete());
  }
}
