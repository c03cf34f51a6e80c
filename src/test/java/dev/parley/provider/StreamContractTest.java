package dev.parley.provider;

import static dev.parley.provider.ProviderTestSupport.client;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.StreamEvents;
import dev.parley.fake.FakeModelServer;
import dev.parley.fake.FakeOpenAi;
import dev.parley.fake.Fault;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The stream contract ({@link StreamEvents}) as the provider verticle keeps it, on the bus: deltas in order, then
 * exactly one {@code done} (the reply's answer) or {@code error} (the failure, with its spend), for built-in
 * providers and for custom providers, whose streams go through a relay address that never outlives the stream.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = java.util.concurrent.TimeUnit.SECONDS)
class StreamContractTest {

  /** How long a stream is watched after its end, to see that nothing follows it. */
  private static final long AFTER_END_MS = 200;

  @TempDir
  Path dataDir;

  private FakeModelServer fake;
  private ListAppender<ILoggingEvent> logs;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(CustomStream.class)).addAppender(logs);
    FakeOpenAi.start(vertx)
        .compose(started -> {
          fake = started;
          JsonObject config = ProviderTestSupport.config(dataDir, fake.baseUrl(), "http://127.0.0.1:9")
              .put("forward_timeout_ms", 1_000).put("idle_timeout_ms", 5_000);
          config.getJsonObject("openai").put("api_key", ProviderTestSupport.API_KEY);
          return vertx.deployVerticle(new ProviderVerticle(), new DeploymentOptions().setConfig(config));
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void detach() {
    ((Logger) LoggerFactory.getLogger(CustomStream.class)).detachAppender(logs);
  }

  private static JsonObject request(String provider) {
    return ProviderTestSupport.request(new JsonObject().put("id", "bot_stream").put("provider", provider)
        .put("model", "gpt-4o-mini"));
  }

  // ---- built-in providers ---------------------------------------------------------------

  @Test
  void a_built_in_stream_sends_its_deltas_in_order_then_one_done_holding_the_reply(Vertx vertx, VertxTestContext ctx) {
    fake.answerWith("one two three four");
    stream(vertx, request("openai")).onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
      assertDeltasThenOne(streamed, StreamEvents.DONE, 4);
      assertThat(streamed.text()).isEqualTo("one two three four");
      assertThat(StreamEvents.answer(streamed.end())).isEqualTo(streamed.reply());
      assertThat(streamed.reply().getJsonObject(Fields.USAGE).getLong(Fields.OUTPUT_TOKENS)).isEqualTo(4);
      ctx.completeNow();
    })));
  }

  @Test
  void the_extractive_stream_ends_with_one_done_too(Vertx vertx, VertxTestContext ctx) {
    JsonObject request = request("extractive").put(Fields.CONTEXT, new JsonArray()
        .add(new JsonObject().put(Fields.TEXT, "Parley answers from its knowledge base, a few words at a time.")));
    stream(vertx, request).onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
      assertDeltasThenOne(streamed, StreamEvents.DONE, streamed.deltas().size());
      assertThat(streamed.deltas()).isNotEmpty();
      assertThat(StreamEvents.answer(streamed.end())).isEqualTo(streamed.reply());
      ctx.completeNow();
    })));
  }

  @Test
  void a_built_in_stream_that_breaks_after_deltas_ends_with_one_error_holding_its_spend(Vertx vertx,
      VertxTestContext ctx) {
    fake.answerWith("one two three four five");
    fake.enqueue(Fault.resetAfterChunks(2));
    stream(vertx, request("openai")).onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
      assertDeltasThenOne(streamed, StreamEvents.ERROR, 2);
      ParleyException failure = StreamEvents.failure(streamed.end());
      assertThat(failure.status()).isEqualTo(502);
      assertThat(failure.code()).isEqualTo("provider_stream_broken");
      assertThat(failure.spent().getJsonObject(Fields.USAGE).getLong(Fields.OUTPUT_TOKENS)).isPositive();
      assertThat(failure.toBusJson()).isEqualTo(streamed.failure().toBusJson());
      ctx.completeNow();
    })));
  }

  @Test
  void a_cancelled_built_in_stream_ends_with_one_499_error_holding_its_spend(Vertx vertx, VertxTestContext ctx) {
    fake.chunkDelayMs(20);
    fake.enqueue(Fault.endless());
    stream(vertx, request("openai"), first -> client(vertx).cancel(first))
        .onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
          assertDeltasThenOne(streamed, StreamEvents.ERROR, streamed.deltas().size());
          ParleyException failure = StreamEvents.failure(streamed.end());
          assertThat(failure.status()).isEqualTo(499);
          assertThat(failure.code()).isEqualTo("client_disconnected");
          assertThat(failure.spent()).isNotNull();
          assertThat(streamed.failure().code()).isEqualTo("client_disconnected");
          ctx.completeNow();
        })));
  }

  @Test
  void an_invalid_stream_request_ends_its_stream_with_the_validation_error(Vertx vertx, VertxTestContext ctx) {
    stream(vertx, request("openai").put(Fields.MESSAGES, new JsonArray())).onComplete(ctx.succeeding(streamed ->
        ctx.verify(() -> {
          assertDeltasThenOne(streamed, StreamEvents.ERROR, 0);
          assertThat(StreamEvents.failure(streamed.end()).code()).isEqualTo("validation_failed");
          assertThat(streamed.failure().status()).isEqualTo(422);
          ctx.completeNow();
        })));
  }

  // ---- custom providers ---------------------------------------------------------------------

  @Test
  void a_custom_providers_stream_is_relayed_and_its_done_counted(Vertx vertx, VertxTestContext ctx) {
    List<String> relays = new CopyOnWriteArrayList<>();
    extension(vertx, "new-way", message -> {
      String relay = message.body().getString(Fields.STREAM_ADDRESS);
      relays.add(relay);
      vertx.eventBus().send(relay, StreamEvents.delta(0, "HELLO "));
      vertx.eventBus().send(relay, StreamEvents.delta(1, "THERE"));
      vertx.eventBus().send(relay, StreamEvents.done(new JsonObject().put(Fields.CONTENT, "HELLO THERE")));
      message.reply(new JsonObject());
    })
        .compose(registered -> stream(vertx, request("new-way")))
        .compose(streamed -> relayGone(vertx, relays.get(0)).map(streamed))
        .onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
          assertDeltasThenOne(streamed, StreamEvents.DONE, 2);
          assertThat(relays.get(0)).isNotEqualTo(streamed.address()).startsWith(Addresses.STREAM_PREFIX);
          JsonObject answer = StreamEvents.answer(streamed.end());
          assertThat(answer).isEqualTo(streamed.reply());
          assertThat(answer.getString(Fields.CONTENT)).isEqualTo("HELLO THERE");
          assertThat(answer.getJsonObject(Fields.USAGE).getBoolean(Fields.ESTIMATED)).isTrue();
          assertThat(answer.getJsonObject(Fields.USAGE).getLong(Fields.OUTPUT_TOKENS)).isEqualTo(3);
          assertThat(answer.getValue(Fields.COST)).isInstanceOf(Number.class);
          assertThat(logs.list).isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  void a_custom_provider_that_replies_the_old_way_still_ends_with_one_done_and_is_warned_about_once(Vertx vertx,
      VertxTestContext ctx) {
    List<String> relays = new CopyOnWriteArrayList<>();
    extension(vertx, "old-way", message -> {
      String relay = message.body().getString(Fields.STREAM_ADDRESS);
      relays.add(relay);
      vertx.eventBus().send(relay, StreamEvents.delta(0, "so "));
      vertx.eventBus().send(relay, StreamEvents.delta(1, "long"));
      message.reply(new JsonObject().put(Fields.CONTENT, "so long").put(Fields.DELTAS, 2));
    })
        .compose(registered -> stream(vertx, request("old-way")))
        .compose(first -> stream(vertx, request("old-way")).map(second -> List.of(first, second)))
        .compose(both -> relayGone(vertx, relays.get(0)).compose(v -> relayGone(vertx, relays.get(1))).map(both))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          for (Streamed streamed : both) {
            assertDeltasThenOne(streamed, StreamEvents.DONE, 2);
            assertThat(StreamEvents.answer(streamed.end())).isEqualTo(streamed.reply());
            assertThat(streamed.reply().getString(Fields.CONTENT)).isEqualTo("so long");
            assertThat(streamed.reply().getInteger(Fields.DELTAS)).isEqualTo(2);
            assertThat(streamed.reply().getJsonObject(Fields.USAGE).getBoolean(Fields.ESTIMATED)).isTrue();
          }
          assertThat(logs.list).hasSize(1);
          assertThat(logs.list.get(0).getLevel()).isEqualTo(Level.WARN);
          assertThat(logs.list.get(0).getFormattedMessage()).contains("old-way").contains("docs/extending.md");
          ctx.completeNow();
        })));
  }

  @Test
  void a_custom_providers_error_ends_the_stream_with_one_error_and_its_spend(Vertx vertx, VertxTestContext ctx) {
    List<String> relays = new CopyOnWriteArrayList<>();
    JsonObject spent = new JsonObject().put(Fields.USAGE, new JsonObject().put(Fields.INPUT_TOKENS, 7)
        .put(Fields.OUTPUT_TOKENS, 2)).put(Fields.COST, 0.001).put(Fields.PROVIDER, "breaks").put(Fields.MODEL, "b-1");
    extension(vertx, "breaks", message -> {
      String relay = message.body().getString(Fields.STREAM_ADDRESS);
      relays.add(relay);
      vertx.eventBus().send(relay, StreamEvents.delta(0, "half"));
      vertx.eventBus().send(relay, StreamEvents.error(
          new ParleyException(502, "provider_stream_broken", "It broke").withSpent(spent)));
      message.reply(new JsonObject());
    })
        .compose(registered -> stream(vertx, request("breaks")))
        .compose(streamed -> relayGone(vertx, relays.get(0)).map(streamed))
        .onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
          assertDeltasThenOne(streamed, StreamEvents.ERROR, 1);
          ParleyException failure = StreamEvents.failure(streamed.end());
          assertThat(failure.code()).isEqualTo("provider_stream_broken");
          assertThat(failure.spent()).isEqualTo(spent);
          assertThat(streamed.failure().spent()).isEqualTo(spent);
          ctx.completeNow();
        })));
  }

  @Test
  void a_custom_provider_that_never_answers_ends_the_stream_with_one_timeout_error(Vertx vertx, VertxTestContext ctx) {
    List<String> relays = new CopyOnWriteArrayList<>();
    extension(vertx, "mute", message -> {
      relays.add(message.body().getString(Fields.STREAM_ADDRESS));
      vertx.eventBus().send(message.body().getString(Fields.STREAM_ADDRESS), StreamEvents.delta(0, "um"));
    })
        .compose(registered -> stream(vertx, request("mute")))
        .compose(streamed -> relayGone(vertx, relays.get(0)).map(streamed))
        .onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
          assertDeltasThenOne(streamed, StreamEvents.ERROR, 1);
          assertThat(StreamEvents.failure(streamed.end()).status()).isEqualTo(504);
          assertThat(streamed.failure().code()).isEqualTo("provider_timeout");
          ctx.completeNow();
        })));
  }

  @Test
  void a_custom_provider_that_replies_without_ending_its_stream_gets_a_clear_error(Vertx vertx, VertxTestContext ctx) {
    List<String> relays = new CopyOnWriteArrayList<>();
    extension(vertx, "no-end", message -> {
      relays.add(message.body().getString(Fields.STREAM_ADDRESS));
      message.reply(new JsonObject().put("ok", true));
    })
        .compose(registered -> stream(vertx, request("no-end")))
        .compose(streamed -> relayGone(vertx, relays.get(0)).map(streamed))
        .onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
          assertDeltasThenOne(streamed, StreamEvents.ERROR, 0);
          ParleyException failure = StreamEvents.failure(streamed.end());
          assertThat(failure.status()).isEqualTo(502);
          assertThat(failure.code()).isEqualTo("provider_protocol_error");
          assertThat(failure.getMessage()).contains("no-end").contains("docs/extending.md");
          ctx.completeNow();
        })));
  }

  @Test
  void a_cancel_of_the_callers_stream_reaches_the_custom_provider_as_a_cancel_of_its_relay(Vertx vertx,
      VertxTestContext ctx) {
    List<String> relays = new CopyOnWriteArrayList<>();
    Promise<String> cancelled = Promise.promise();
    MessageConsumer<JsonObject> cancels = vertx.eventBus().consumer(Addresses.PROVIDER_CANCEL,
        m -> {
          if (relays.contains(m.body().getString(Fields.STREAM_ADDRESS))) {
            cancelled.tryComplete(m.body().getString(Fields.STREAM_ADDRESS));
          }
        });
    extension(vertx, "stoppable", message -> {
      String relay = message.body().getString(Fields.STREAM_ADDRESS);
      relays.add(relay);
      vertx.eventBus().send(relay, StreamEvents.delta(0, "going "));
      // stops when told to, the new way
      cancelled.future().onSuccess(address -> {
        vertx.eventBus().send(relay, StreamEvents.error(new ParleyException(499, "client_disconnected", "Gone")));
        message.reply(new JsonObject());
      });
    })
        .compose(registered -> cancels.completion())
        .compose(registered -> stream(vertx, request("stoppable"), first -> client(vertx).cancel(first)))
        .compose(streamed -> relayGone(vertx, relays.get(0)).map(streamed))
        .eventually(cancels::unregister)
        .onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
          assertThat(cancelled.future().result()).isEqualTo(relays.get(0));
          assertDeltasThenOne(streamed, StreamEvents.ERROR, 1);
          assertThat(streamed.failure().code()).isEqualTo("client_disconnected");
          ctx.completeNow();
        })));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** What a stream address received, and the request's reply or failure. */
  private record Streamed(String address, List<JsonObject> events, JsonObject reply, ParleyException failure) {

    List<JsonObject> deltas() {
      return events.stream().filter(e -> StreamEvents.DELTA.equals(StreamEvents.type(e))).toList();
    }

    JsonObject end() {
      return events.get(events.size() - 1);
    }

    String text() {
      StringBuilder text = new StringBuilder();
      deltas().forEach(d -> text.append(d.getString(Fields.TEXT)));
      return text.toString();
    }
  }

  /** {@code deltas} deltas numbered from 0, then one end of type {@code end} and nothing after it. */
  private static void assertDeltasThenOne(Streamed streamed, String end, int deltas) {
    assertThat(streamed.events()).hasSize(deltas + 1);
    for (int i = 0; i < deltas; i++) {
      assertThat(StreamEvents.type(streamed.events().get(i))).isEqualTo(StreamEvents.DELTA);
      assertThat(streamed.events().get(i).getInteger(Fields.SEQ)).isEqualTo(i);
    }
    assertThat(StreamEvents.type(streamed.end())).isEqualTo(end);
    assertThat(streamed.reply() == null).isEqualTo(StreamEvents.ERROR.equals(end));
  }

  private static Future<Streamed> stream(Vertx vertx, JsonObject request) {
    return stream(vertx, request, address -> { });
  }

  /**
   * Streams {@code request}; {@code onFirstDelta} gets the stream address at the first delta. Completes
   * once the request is answered, an end arrived and nothing followed it for {@link #AFTER_END_MS}.
   */
  private static Future<Streamed> stream(Vertx vertx, JsonObject request, Consumer<String> onFirstDelta) {
    String address = Addresses.STREAM_PREFIX + UUID.randomUUID();
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    Promise<Void> ended = Promise.promise();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address, m -> {
      events.add(m.body());
      String type = StreamEvents.type(m.body());
      if (StreamEvents.DELTA.equals(type) && events.size() == 1) {
        onFirstDelta.accept(address);
      }
      if (StreamEvents.DONE.equals(type) || StreamEvents.ERROR.equals(type)) {
        ended.tryComplete();
      }
    });
    return consumer.completion()
        .compose(registered -> client(vertx).stream(request, address).transform(Future::succeededFuture))
        .compose(answered -> ended.future().compose(end -> {
          Promise<Streamed> settled = Promise.promise();
          vertx.setTimer(AFTER_END_MS, t -> settled.complete(new Streamed(address, List.copyOf(events),
              answered.succeeded() ? answered.result() : null,
              answered.failed() && answered.cause() instanceof ParleyException p ? p : null)));
          return settled.future();
        }))
        .eventually(consumer::unregister);
  }

  /** Registers a custom provider's stream address. */
  private static Future<Void> extension(Vertx vertx, String name, Consumer<Message<JsonObject>> handler) {
    return vertx.eventBus().<JsonObject>consumer(Addresses.customProviderStream(name), handler::accept).completion();
  }

  /** Completes once nobody consumes {@code relay} any more (the relay is unregistered after the caller's answer). */
  private static Future<Void> relayGone(Vertx vertx, String relay) {
    return relayGone(vertx, relay, 10);
  }

  private static Future<Void> relayGone(Vertx vertx, String relay, int tries) {
    return vertx.eventBus().request(relay, new JsonObject(), new DeliveryOptions().setSendTimeout(100))
        .transform(ar -> {
          if (ar.failed() && ar.cause() instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
            return Future.<Void>succeededFuture();
          }
          if (tries <= 1) {
            return Future.failedFuture(new AssertionError("the relay " + relay + " is still registered"));
          }
          Promise<Void> again = Promise.promise();
          vertx.setTimer(20, t -> relayGone(vertx, relay, tries - 1).onComplete(again));
          return again.future();
        });
  }
}
