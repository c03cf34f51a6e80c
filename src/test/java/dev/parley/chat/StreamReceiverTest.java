package dev.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.ProviderClient;
import dev.parley.common.StreamEvents;
import dev.parley.common.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The receiving end of a stream: it ends on the stream's own done or error, or on the request's failure. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class StreamReceiverTest {

  @Test
  void a_successful_reply_ends_nothing_the_done_behind_the_deltas_does(Vertx vertx, VertxTestContext test) {
    List<String> pieces = new CopyOnWriteArrayList<>();
    FakeComponents.start(vertx, Map.of(Addresses.PROVIDER_STREAM, message -> {
      message.reply(new JsonObject().put(Fields.CONTENT, "ab").put(Fields.DELTAS, 2));
      String address = message.body().getString(Fields.STREAM_ADDRESS);
      vertx.setTimer(200, t -> {
        vertx.eventBus().send(address, StreamEvents.delta(0, "a"));
        vertx.eventBus().send(address, StreamEvents.delta(1, "b"));
        vertx.eventBus().send(address, StreamEvents.done(new JsonObject().put(Fields.CONTENT, "ab")));
      });
    })).compose(fake -> receive(vertx, pieces)).onComplete(test.succeeding(receiver -> test.verify(() -> {
      assertThat(receiver.answer().result().getString(Fields.CONTENT)).isEqualTo("ab");
      assertThat(receiver.answer().result().containsKey(Fields.TYPE)).isFalse();
      assertThat(pieces).containsExactly("a", "b");
      assertThat(receiver.text()).isEqualTo("ab");
      test.completeNow();
    })));
  }

  @Test
  void an_error_on_the_stream_ends_it_with_its_failure_and_what_came_before(Vertx vertx, VertxTestContext test) {
    FakeComponents.start(vertx, Map.of(Addresses.PROVIDER_STREAM, message -> {
      String address = message.body().getString(Fields.STREAM_ADDRESS);
      vertx.eventBus().send(address, StreamEvents.delta(0, "half"));
      vertx.eventBus().send(address, StreamEvents.error(new ParleyException(502, "provider_stream_broken", "broke")));
      // the failed reply comes later and changes nothing
      vertx.setTimer(100, t -> message.fail(500, new ParleyException(500, "later", "later").toBusJson().encode()));
    })).compose(fake -> receive(vertx, new CopyOnWriteArrayList<>())).onComplete(test.succeeding(receiver ->
        test.verify(() -> {
          assertThat(((ParleyException) receiver.answer().cause()).code()).isEqualTo("provider_stream_broken");
          assertThat(receiver.text()).isEqualTo("half");
          test.completeNow();
        })));
  }

  @Test
  void a_request_that_fails_ends_a_stream_that_sent_no_end(Vertx vertx, VertxTestContext test) {
    receive(vertx, new CopyOnWriteArrayList<>()).onComplete(test.succeeding(receiver -> test.verify(() -> {
      assertThat(((ParleyException) receiver.answer().cause()).code()).isEqualTo("service_unavailable");
      test.completeNow();
    })));
  }

  @Test
  void what_arrives_after_the_visitor_left_is_received_but_not_counted_as_sent(Vertx vertx, VertxTestContext test) {
    String address = Addresses.STREAM_PREFIX + "gone-" + UUID.randomUUID();
    StreamReceiver gone = new StreamReceiver(vertx, address, text -> { });
    gone.ready().compose(v -> {
      vertx.eventBus().send(address, StreamEvents.delta(0, "seen "));
      return vertx.timer(50);
    }).compose(v -> {
      gone.clientGone();
      vertx.eventBus().send(address, StreamEvents.delta(1, "unseen"));
      vertx.eventBus().send(address, StreamEvents.done(new JsonObject()));
      return gone.answer();
    }).onComplete(test.succeeding(answer -> test.verify(() -> {
      assertThat(gone.text()).isEqualTo("seen unseen");
      assertThat(gone.sent()).isEqualTo("seen ");
      test.completeNow();
    })));
  }

  /** Starts a stream through the provider client and completes once it ended, either way. */
  private static Future<StreamReceiver> receive(Vertx vertx, List<String> pieces) {
    ProviderClient provider = new ProviderClient(new Bus(vertx), new Timeouts(2_000, 2_000, 2_000, 2_000, 0));
    String address = Addresses.STREAM_PREFIX + UUID.randomUUID();
    StreamReceiver receiver = new StreamReceiver(vertx, address, pieces::add);
    return receiver.ready()
        .compose(v -> {
          receiver.watch(provider.stream("req-stream", new JsonObject(), address));
          return receiver.answer().transform(ended -> Future.succeededFuture(receiver));
        });
  }
}
