package dev.parley.provider;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.ParleyException;
import dev.parley.common.ProviderClient;
import dev.parley.common.StreamEvents;
import dev.parley.common.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Config, requests and stream collection for the provider tests. */
final class ProviderTestSupport {

  static final String SECRET = "provider-test-passphrase-7Qm2xR9kLw4Z";
  static final String API_KEY = "sk-test-Zq9cW2vT7uY4kP1nR8sX";
  static final String BOT_ID = "bot_providertest";
  static final String SYSTEM = "You are a helpful assistant.";

  private ProviderTestSupport() {
  }

  /** Short timeouts and backoffs so failure paths run in well under a second. */
  static JsonObject config(Path dataDir, String openAiBaseUrl, String anthropicBaseUrl) {
    return new JsonObject()
        .put("secret_key", SECRET)
        .put("data_dir", dataDir.toString())
        .put("connect_timeout_ms", 500)
        .put("idle_timeout_ms", 500)
        .put("request_timeout_ms", 5000)
        .put("max_retries", 2)
        .put("backoff_initial_ms", 20)
        .put("backoff_max_ms", 100)
        .put("max_retry_after_s", 2)
        .put("prices_file", "conf/prices.json")
        .put("openai", new JsonObject().put("base_url", openAiBaseUrl).putNull("api_key"))
        .put("anthropic", new JsonObject().put("base_url", anthropicBaseUrl).putNull("api_key").put("version", "2023-06-01"));
  }

  static JsonObject request(JsonObject bot) {
    return new JsonObject()
        .put("bot", bot)
        .put("system", SYSTEM)
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "Hi there"))
            .add(new JsonObject().put("role", "assistant").put("content", "Hello!"))
            .add(new JsonObject().put("role", "user").put("content", "What is Parley?")));
  }

  /** The provider client as these tests call it: every call on behalf of one request id. */
  record Caller(ProviderClient client, String requestId) {

    Future<JsonObject> complete(JsonObject request) {
      return client.complete(requestId, request);
    }

    Future<JsonObject> stream(JsonObject request, String streamAddress) {
      return client.stream(requestId, request, streamAddress);
    }

    void cancel(String streamAddress) {
      client.cancel(streamAddress);
    }
  }

  static Caller client(Vertx vertx) {
    return new Caller(new ProviderClient(new Bus(vertx), new Timeouts(5_000, 5_000, 5_000, 15_000)),
        "req-" + UUID.randomUUID());
  }

  /** The failure of a request, as the caller sees it; fails if the request succeeded. */
  static Future<ParleyException> failure(Future<JsonObject> call) {
    return call.transform(ar -> ar.succeeded()
        ? Future.failedFuture(new AssertionError("expected a failure, got " + ar.result().encode()))
        : Future.succeededFuture(ar.cause() instanceof ParleyException p ? p
            : new ParleyException(0, "unexpected:" + ar.cause(), String.valueOf(ar.cause()))));
  }

  /** A streamed call: its deltas, and its reply or failure. */
  record Streamed(List<JsonObject> deltas, JsonObject reply, ParleyException failure) {

    String text() {
      StringBuilder sb = new StringBuilder();
      deltas.forEach(d -> sb.append(d.getString("text")));
      return sb.toString();
    }
  }

  /** Streams a request and completes once the reply (or failure) and every delta it counts have arrived. */
  static Future<Streamed> stream(Vertx vertx, JsonObject request) {
    String address = Addresses.STREAM_PREFIX + UUID.randomUUID();
    List<JsonObject> deltas = new CopyOnWriteArrayList<>();
    // the stream's end (done or error) is the reply's copy: the stream tests read the reply
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address, m -> {
      if (StreamEvents.DELTA.equals(StreamEvents.type(m.body()))) {
        deltas.add(m.body());
      }
    });
    return consumer.completion()
        .compose(v -> client(vertx).stream(request, address).transform(ar -> {
          Promise<Streamed> done = Promise.promise();
          int expected = ar.succeeded() ? ar.result().getInteger("deltas", 0) : -1;
          long start = System.currentTimeMillis();
          vertx.setPeriodic(1, 10, id -> {
            boolean settled = expected >= 0 ? deltas.size() >= expected : System.currentTimeMillis() - start > 100;
            if (settled || System.currentTimeMillis() - start > 2000) {
              vertx.cancelTimer(id);
              done.complete(new Streamed(List.copyOf(deltas), ar.succeeded() ? ar.result() : null,
                  ar.failed() && ar.cause() instanceof ParleyException p ? p : null));
            }
          });
          return done.future();
        }))
        .eventually(consumer::unregister);
  }
}
