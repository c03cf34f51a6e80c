package dev.parley.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.testing.SseEvents;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** Chat turns through the public API, timed, and what they left in storage, for the reliability and security tests. */
public final class Turns {

  private Turns() {
  }

  /** A JSON turn's response and how long it took. */
  record Timed(HttpResponse<Buffer> response, long elapsedMs) {

    int status() {
      return response.statusCode();
    }

    JsonObject body() {
      return response.bodyAsJsonObject();
    }

    String errorCode() {
      return body().getJsonObject("error").getString("code");
    }
  }

  /** A streamed turn: its events in order, with their data, and how long it took. */
  record Streamed(List<String> names, List<JsonObject> data, long elapsedMs) {

    String text() {
      return new SseEvents(names, data).deltaText();
    }

    String last() {
      return names.get(names.size() - 1);
    }

    JsonObject first(String name) {
      int i = names.indexOf(name);
      return i < 0 ? null : data.get(i);
    }
  }

  /**
   * Provider settings for fault tests: the given timeouts, two quick retries, a short cap on
   * {@code Retry-After}.
   */
  static JsonObject faultSettings(long connectTimeoutMs, long idleTimeoutMs, long requestTimeoutMs) {
    return new JsonObject()
        .put("connect_timeout_ms", connectTimeoutMs)
        .put("idle_timeout_ms", idleTimeoutMs)
        .put("request_timeout_ms", requestTimeoutMs)
        .put("max_retries", 2)
        .put("backoff_initial_ms", 20)
        .put("backoff_max_ms", 100)
        .put("max_retry_after_s", 1);
  }

  /** Starts the app with {@code overrides} and runs one streamed turn, so timings are not about a cold JVM. */
  static Future<TestApp> startWarm(Vertx vertx, Path dataDir, JsonObject overrides) {
    return TestApp.start(vertx, dataDir, overrides)
        .compose(started -> openAiBot(started, new JsonObject())
            .compose(bot -> stream(started, bot, "warm-up-session", "warm up"))
            .map(warm -> started));
  }

  /**
   * An OpenAI bot talking to the app's fake OpenAI under a base URL of its own, so that it gets a
   * circuit breaker of its own (the fake serves any path prefix).
   */
  static Future<String> openAiBot(TestApp app, JsonObject extra) {
    String prefix = "/b" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject fields = new JsonObject().put("name", "Reliability").put("provider", "openai")
        .put("api_key", "sk-reliability-test-key").put("base_url", baseUrl(app, prefix))
        .put("rag", new JsonObject().put("enabled", false))
        .mergeIn(extra);
    return app.createBot(fields).map(bot -> bot.getString("id"));
  }

  static String baseUrl(TestApp app, String prefix) {
    return "http://127.0.0.1:" + app.openai.port() + prefix + "/v1";
  }

  static Future<Timed> json(TestApp app, String botId, String sessionId, String message) {
    long start = System.nanoTime();
    return app.chat(botId, new JsonObject().put("message", message).put("session_id", sessionId))
        .map(response -> new Timed(response, (System.nanoTime() - start) / 1_000_000));
  }

  static Future<Streamed> stream(TestApp app, String botId, String sessionId, String message) {
    long start = System.nanoTime();
    return app.client.post("/api/chat/" + botId).putHeader("Accept", "text/event-stream")
        .sendJsonObject(new JsonObject().put("message", message).put("session_id", sessionId))
        .map(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.getHeader("Content-Type")).startsWith("text/event-stream");
          return parse(response.bodyAsString(), (System.nanoTime() - start) / 1_000_000);
        });
  }

  /** The session's messages as the widget sees them ({@code GET /api/chat/{bot}/session/{id}}). */
  public static Future<JsonArray> session(TestApp app, String botId, String sessionId) {
    return app.client.get("/api/chat/" + botId + "/session/" + sessionId).send().map(response -> {
      assertThat(response.statusCode()).isEqualTo(200);
      return response.bodyAsJsonObject().getJsonArray("messages");
    });
  }

  /** The session's messages as operators see them (with error, provider and model), from the admin API. */
  public static Future<JsonArray> log(TestApp app, String botId, String sessionId) {
    return app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations").send().compose(list -> {
      for (Object item : list.bodyAsJsonObject().getJsonArray("conversations")) {
        JsonObject conversation = (JsonObject) item;
        if (sessionId.equals(conversation.getString("session_id"))) {
          return app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations/" + conversation.getString("id"))
              .send().map(detail -> detail.bodyAsJsonObject().getJsonArray("messages"));
        }
      }
      return Future.failedFuture(new AssertionError("no conversation for session " + sessionId));
    });
  }

  /** The user message is stored, with the failure recorded, and no answer. */
  static Future<Void> onlyUserStored(TestApp app, String botId, String session, String message, String code) {
    return Future.all(session(app, botId, session), log(app, botId, session)).map(both -> {
      JsonArray messages = both.resultAt(0);
      assertThat(messages).hasSize(1);
      assertThat(messages.getJsonObject(0).getString("role")).isEqualTo("user");
      assertThat(messages.getJsonObject(0).getString("content")).isEqualTo(message);
      JsonArray log = both.resultAt(1);
      assertThat(log.getJsonObject(0).getString("error")).isEqualTo(code);
      return null;
    });
  }

  /**
   * A visitor asks for a streamed answer and closes the connection (the tab) as soon as the first delta
   * arrives; completes with the text it had read by then.
   */
  public static Future<String> leaveAfterFirstDelta(TestApp app, String botId, String sessionId, String message) {
    HttpClient client = app.vertx.createHttpClient();
    Promise<String> left = Promise.promise();
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(app.port)
            .setURI("/api/chat/" + botId))
        .compose(request -> request.putHeader("Content-Type", "application/json")
            .putHeader("Accept", "text/event-stream")
            .send(new JsonObject().put("message", message).put("session_id", sessionId).encode()))
        .onSuccess(response -> response.handler(chunk -> {
          Streamed events = parse(chunk.toString(), 0);
          if (!left.future().isComplete() && events.names().contains("delta")) {
            response.request().connection().close();
            left.tryComplete(events.text());
          }
        }))
        .onFailure(left::tryFail);
    return left.future().eventually(client::close);
  }

  /**
   * Listens for the {@code parley.events.turn.completed} of a session: completes once listening, with the
   * future of the event.
   */
  public static Future<Future<JsonObject>> turnCompleted(TestApp app, String sessionId) {
    Promise<JsonObject> event = Promise.promise();
    MessageConsumer<JsonObject> consumer = app.vertx.eventBus().consumer(Addresses.EVENTS_TURN_COMPLETED, m -> {
      if (sessionId.equals(m.body().getString("session_id"))) {
        event.tryComplete(m.body());
      }
    });
    event.future().onComplete(done -> consumer.unregister());
    return consumer.completion().map(registered -> event.future());
  }

  /** The bot's budget block of its stats: {@code tokens_today}, {@code cost_today} and the limits. */
  public static Future<JsonObject> budget(TestApp app, String botId) {
    return app.admin(HttpMethod.GET, "/api/bots/" + botId + "/stats?days=1").send().map(response -> {
      assertThat(response.statusCode()).isEqualTo(200);
      return response.bodyAsJsonObject().getJsonObject("budget");
    });
  }

  static Streamed parse(String body, long elapsedMs) {
    SseEvents events = SseEvents.parse(body);
    return new Streamed(events.names(), events.data(), elapsedMs);
  }

}
