package dev.parley.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.parley.testing.TestApp;
import dev.parley.fake.Fault;
import dev.parley.fake.FakeOpenAi;
import dev.parley.provider.ProviderVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The provider-side cases of the security and reliability catalogue (section H) that need more than a
 * status code: exhausted quotas and refused keys (not retried, a generic error for the visitor, the bot
 * marked for admins), an answer that never ends (cut at {@code max_answer_chars}, upstream closed), a
 * visitor leaving mid-stream (upstream cancelled, what was sent stored), a blackholed host (connect
 * timeout, not retried), an untrusted TLS certificate (fails closed, no retry, no plain HTTP), and errors
 * in the middle of a stream. Each bot has a base URL, hence a circuit breaker, of its own.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ProviderHardeningTest {

  private static final int MAX_ANSWER_CHARS = 2_000;
  /** Generous: a first, cold TLS handshake on a busy machine takes several hundred milliseconds. */
  private static final long CONNECT_TIMEOUT_MS = 1_500;
  private static final long IDLE_TIMEOUT_MS = 400;
  private static final long CANCEL_WITHIN_MS = 1_000;

  @TempDir
  static Path dataDir;

  private static TestApp app;
  private static ServerSocket blackhole;
  private static final List<Socket> backlog = new ArrayList<>();

  private final ListAppender<ILoggingEvent> providerLog = new ListAppender<>();

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext test) throws IOException {
    blackhole = fullBacklog();
    JsonObject overrides = new JsonObject().put("provider", Turns.faultSettings(CONNECT_TIMEOUT_MS, IDLE_TIMEOUT_MS, 4_000)
        .put("max_answer_chars", MAX_ANSWER_CHARS));
    Turns.startWarm(vertx, dataDir, overrides)
        .onComplete(test.succeeding(started -> {
          app = started;
          test.completeNow();
        }));
  }

  @AfterAll
  static void closeBlackhole() throws IOException {
    for (Socket socket : backlog) {
      socket.close();
    }
    blackhole.close();
  }

  @BeforeEach
  void resetFakes() {
    app.openai.reset();
    app.anthropic.reset();
    providerLog.list.clear();
    providerLog.start();
    ((Logger) LoggerFactory.getLogger(ProviderVerticle.class)).addAppender(providerLog);
  }

  @org.junit.jupiter.api.AfterEach
  void detachLog() {
    ((Logger) LoggerFactory.getLogger(ProviderVerticle.class)).detachAppender(providerLog);
  }

  /**
   * A loopback port nobody accepts on, with its backlog full: the kernel drops further SYNs, so a connect
   * hangs until the client's connect timeout, as with a blackholed address.
   */
  private static ServerSocket fullBacklog() throws IOException {
    ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    for (int i = 0; i < 16; i++) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 200);
        backlog.add(socket);
      } catch (SocketTimeoutException full) {
        socket.close();
        return server;
      }
    }
    throw new IllegalStateException("the backlog never filled up");
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static Future<String> openAiBot() {
    return Turns.openAiBot(app, new JsonObject());
  }

  private static Future<String> anthropicBot() {
    String base = "http://127.0.0.1:" + app.anthropic.port() + "/a" + UUID.randomUUID().toString().substring(0, 8);
    return app.createBot(new JsonObject().put("name", "Hardening").put("provider", "anthropic")
            .put("api_key", "sk-ant-hardening-test-key").put("base_url", base)
            .put("rag", new JsonObject().put("enabled", false)))
        .map(bot -> bot.getString("id"));
  }

  private static Future<JsonObject> bot(String id) {
    return app.admin(HttpMethod.GET, "/api/bots/" + id).send().map(response -> {
      assertThat(response.statusCode()).isEqualTo(200);
      return response.bodyAsJsonObject();
    });
  }

  /** Lines the provider verticle logged about retrying a call for {@code botId}. */
  private List<String> retries(String botId) {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : providerLog.list) {
      String line = event.getFormattedMessage();
      if (line.startsWith("Retrying") && line.contains(botId)) {
        lines.add(line);
      }
    }
    return lines;
  }

  // ---- #75 exhausted quota ---------------------------------------------------------------------

  @Test
  void an_exhausted_openai_quota_is_not_retried_marks_the_bot_and_shows_the_visitor_a_generic_503(
      VertxTestContext test) {
    app.openai.enqueue(Fault.insufficientQuota());
    openAiBot().compose(bot -> Turns.json(app, bot, "quota-json-1", "hello").compose(turn -> {
      assertThat(turn.status()).isEqualTo(503);
      assertThat(turn.errorCode()).isEqualTo("bot_unavailable");
      assertThat(turn.body().encode()).doesNotContainIgnoringCase("quota").doesNotContainIgnoringCase("billing")
          .doesNotContain("OpenAI");
      assertThat(app.openai.requestCount()).isEqualTo(1);
      assertThat(retries(bot)).isEmpty();
      return bot(bot);
    }).compose(admin -> {
      JsonObject status = admin.getJsonObject("provider_status");
      assertThat(status.getString("code")).isEqualTo("provider_quota_exhausted");
      assertThat(status.getString("message")).contains("OpenAI").doesNotContain("plan and billing details");
      assertThat(status.getLong("at")).isPositive();
      return Turns.onlyUserStored(app, bot, "quota-json-1", "hello", "provider_quota_exhausted");
    }).compose(v -> Turns.json(app, bot, "quota-json-1", "and now?")).compose(turn -> {
      // credit was added: the next answer from the bot's own provider clears the status
      assertThat(turn.status()).isEqualTo(200);
      return bot(bot);
    }).map(admin -> {
      assertThat(admin.getValue("provider_status")).isNull();
      return null;
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_anthropic_spend_limit_is_an_exhausted_quota_too_and_a_stream_ends_with_the_generic_error(
      VertxTestContext test) {
    app.anthropic.enqueue(Fault.spendLimit());
    anthropicBot().compose(bot -> Turns.stream(app, bot, "spend-sse-1", "hello").compose(turn -> {
      assertThat(turn.names()).containsExactly("start", "error");
      JsonObject error = turn.first("error");
      assertThat(error.getString("code")).isEqualTo("bot_unavailable");
      assertThat(error.getBoolean("retryable")).isFalse();
      assertThat(error.encode()).doesNotContain("usage limits");
      assertThat(app.anthropic.requestCount()).isEqualTo(1);
      return bot(bot);
    }).compose(admin -> {
      assertThat(admin.getJsonObject("provider_status").getString("code")).isEqualTo("provider_quota_exhausted");
      return Turns.onlyUserStored(app, bot, "spend-sse-1", "hello", "provider_quota_exhausted");
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void when_the_fallback_answers_for_an_exhausted_quota_the_bot_is_still_marked(VertxTestContext test) {
    app.openai.enqueue(Fault.insufficientQuota());
    JsonObject fallback = new JsonObject().put("fallback", new JsonObject().put("provider", "extractive"))
        .put("fallback_text", "The fallback speaking.");
    Turns.openAiBot(app, fallback).compose(bot -> Turns.json(app, bot, "quota-fallback-1", "hello").compose(turn -> {
      assertThat(turn.status()).isEqualTo(200);
      assertThat(turn.body().getString("response")).isEqualTo("The fallback speaking.");
      return bot(bot);
    }).map(admin -> {
      assertThat(admin.getJsonObject("provider_status").getString("code")).isEqualTo("provider_quota_exhausted");
      return null;
    })).onComplete(test.succeedingThenComplete());
  }

  // ---- #77 / #65 client errors and refused keys ------------------------------------------------------

  @Test
  void a_refused_key_is_not_retried_marks_the_key_invalid_once_and_a_new_key_clears_it(VertxTestContext test) {
    app.openai.enqueue(Fault.keyEcho());
    app.openai.enqueue(Fault.status(403));
    openAiBot().compose(bot -> Turns.json(app, bot, "key-json-1", "hello").compose(turn -> {
      assertThat(turn.status()).isEqualTo(503);
      assertThat(turn.errorCode()).isEqualTo("bot_unavailable");
      assertThat(turn.body().encode()).doesNotContain("sk-reliability").doesNotContain("Incorrect API key");
      assertThat(app.openai.requestCount()).isEqualTo(1);
      return bot(bot);
    }).compose(first -> {
      JsonObject status = first.getJsonObject("provider_status");
      assertThat(status.getString("code")).isEqualTo("provider_key_invalid");
      assertThat(status.getString("message")).contains("401").doesNotContain("sk-reliability");
      return Turns.json(app, bot, "key-json-1", "again").compose(turn -> {
        assertThat(turn.errorCode()).isEqualTo("bot_unavailable");
        assertThat(app.openai.requestCount()).isEqualTo(2);
        return bot(bot);
      }).map(second -> {
        // the same problem again is not written again: the status keeps the time it was first seen
        assertThat(second.getJsonObject("provider_status")).isEqualTo(status);
        return null;
      });
    }).compose(v -> Turns.log(app, bot, "key-json-1")).compose(log -> {
      assertThat(log.getJsonObject(0).getString("error")).isEqualTo("provider_auth_failed");
      return app.admin(HttpMethod.PUT, "/api/bots/" + bot).sendJsonObject(new JsonObject().put("api_key", "sk-new-key"));
    }).map(updated -> {
      assertThat(updated.statusCode()).isEqualTo(200);
      assertThat(updated.bodyAsJsonObject().getValue("provider_status")).isNull();
      return null;
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_rejected_request_or_unknown_model_is_not_retried_and_leaves_the_bot_unmarked(VertxTestContext test) {
    app.openai.enqueue(Fault.status(400));
    app.openai.enqueue(Fault.status(404));
    openAiBot().compose(bot -> Turns.json(app, bot, "rejected-json-1", "hello").compose(first -> {
      assertThat(first.status()).isEqualTo(503);
      assertThat(first.errorCode()).isEqualTo("bot_unavailable");
      assertThat(app.openai.requestCount()).isEqualTo(1);
      return Turns.stream(app, bot, "rejected-sse-1", "hello");
    }).compose(second -> {
      assertThat(second.names()).containsExactly("start", "error");
      assertThat(second.first("error").getString("code")).isEqualTo("bot_unavailable");
      assertThat(second.first("error").encode()).doesNotContain("Model not found");
      assertThat(app.openai.requestCount()).isEqualTo(2);
      assertThat(retries(bot)).isEmpty();
      return Future.all(bot(bot), Turns.onlyUserStored(app, bot, "rejected-sse-1", "hello", "provider_rejected"));
    }).map(both -> {
      assertThat(((JsonObject) both.resultAt(0)).getValue("provider_status")).isNull();
      return null;
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_provider_status_sent_with_an_update_is_ignored(VertxTestContext test) {
    openAiBot().compose(bot -> app.admin(HttpMethod.PUT, "/api/bots/" + bot).sendJsonObject(new JsonObject()
        .put("provider_status", new JsonObject().put("code", "provider_key_invalid").put("message", "forged"))))
        .map(updated -> {
          assertThat(updated.statusCode()).isEqualTo(200);
          assertThat(updated.bodyAsJsonObject().getValue("provider_status")).isNull();
          return null;
        }).onComplete(test.succeedingThenComplete());
  }

  // ---- #81 answers that never end ---------------------------------------------------------------------

  @Test
  void a_stream_far_beyond_the_cap_is_cut_there_its_upstream_closed_and_stored_incomplete(VertxTestContext test) {
    app.openai.enqueue(Fault.endless());
    openAiBot().compose(bot -> Turns.stream(app, bot, "endless-sse-1", "talk forever").compose(turn -> {
      assertThat(turn.text()).hasSize(MAX_ANSWER_CHARS).startsWith("more more");
      assertThat(turn.last()).isEqualTo("error");
      assertThat(turn.first("error").getString("code")).isEqualTo("provider_answer_too_long");
      assertThat(turn.first("error").getBoolean("retryable")).isFalse();
      return app.openai.connectionClosed(0).map(closed -> turn);
    }).compose(turn -> Turns.log(app, bot, "endless-sse-1").map(log -> {
      assertThat(app.openai.requestCount()).isEqualTo(1);
      JsonObject answer = log.getJsonObject(1);
      assertThat(answer.getString("status")).isEqualTo("incomplete");
      assertThat(answer.getString("error")).isEqualTo("provider_answer_too_long");
      assertThat(answer.getString("content")).isEqualTo(turn.text());
      return null;
    }))).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_endless_json_answer_is_cut_at_the_cap_and_its_upstream_closed(VertxTestContext test) {
    app.openai.enqueue(Fault.endless());
    openAiBot().compose(bot -> Turns.json(app, bot, "endless-json-1", "talk forever").compose(turn -> {
      assertThat(turn.status()).isEqualTo(502);
      assertThat(turn.errorCode()).isEqualTo("provider_answer_too_long");
      assertThat(app.openai.requestCount()).isEqualTo(1);
      return app.openai.connectionClosed(0);
    }).compose(closed -> Turns.onlyUserStored(app, bot, "endless-json-1", "talk forever", "provider_answer_too_long")))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_json_answer_longer_than_the_cap_fails_provider_answer_too_long(VertxTestContext test) {
    app.openai.answerWith("x".repeat(MAX_ANSWER_CHARS + 1));
    openAiBot().compose(bot -> Turns.json(app, bot, "long-json-1", "hello").compose(turn -> {
      assertThat(turn.status()).isEqualTo(502);
      assertThat(turn.errorCode()).isEqualTo("provider_answer_too_long");
      assertThat(turn.body().encode()).doesNotContain("xxxx");
      return Turns.onlyUserStored(app, bot, "long-json-1", "hello", "provider_answer_too_long");
    })).onComplete(test.succeedingThenComplete());
  }

  // ---- #83 the visitor leaves ------------------------------------------------------------------------

  @Test
  void a_visitor_leaving_mid_stream_cancels_the_upstream_request_within_a_second(VertxTestContext test) {
    app.openai.enqueue(Fault.endless());
    app.openai.chunkDelayMs(20);
    HttpClient client = app.vertx.createHttpClient();
    StringBuilder received = new StringBuilder();
    Promise<Long> left = Promise.promise();
    String session = "leaving-sse-1";
    openAiBot().compose(bot -> Turns.turnCompleted(app, session).compose(completed -> {
      client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(app.port)
              .setURI("/api/chat/" + bot))
          .compose(request -> request.putHeader("Content-Type", "application/json")
              .putHeader("Accept", "text/event-stream")
              .send(new JsonObject().put("message", "talk forever").put("session_id", session).encode()))
          .onSuccess(response -> response.handler(chunk -> {
            if (left.future().isComplete()) {
              return;
            }
            Turns.Streamed events = Turns.parse(chunk.toString(), 0);
            received.append(events.text());
            if (events.names().contains("delta")) {
              // the tab is closed
              response.request().connection().close();
              left.tryComplete(System.nanoTime());
            }
          }))
          .onFailure(left::tryFail);
      return left.future()
          .compose(leftAt -> app.openai.connectionClosed(0).map(closedAt -> {
            assertThat(TimeUnit.NANOSECONDS.toMillis(closedAt - leftAt)).isLessThan(CANCEL_WITHIN_MS);
            return null;
          }))
          .compose(v -> completed);
    }).compose(event -> {
      assertThat(event.getString("status")).isEqualTo("incomplete");
      assertThat(event.getString("error")).isEqualTo("client_disconnected");
      assertThat(app.openai.requestCount()).isEqualTo(1);
      assertThat(retries(bot)).isEmpty();
      return Turns.session(app, bot, session);
    })).map(messages -> {
      assertThat(messages).hasSize(2);
      JsonObject answer = messages.getJsonObject(1);
      assertThat(answer.getString("status")).isEqualTo("incomplete");
      // what the visitor was sent, which starts with what it read before leaving
      assertThat(answer.getString("content")).startsWith(received.toString()).startsWith("more").matches("(more )+");
      assertThat(answer.getString("content").length()).isLessThan(MAX_ANSWER_CHARS);
      return null;
    }).onComplete(done -> client.close().onComplete(closed -> test.succeedingThenComplete().handle(done)));
  }

  @Test
  void a_visitor_leaving_a_json_turn_does_not_stop_it_and_the_answer_is_stored(VertxTestContext test) {
    app.openai.enqueue(Fault.delay(300));
    HttpClient client = app.vertx.createHttpClient();
    String session = "leaving-json-1";
    openAiBot().compose(bot -> Turns.turnCompleted(app, session).compose(completed -> {
      client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(app.port)
              .setURI("/api/chat/" + bot))
          .onSuccess(request -> {
            request.putHeader("Content-Type", "application/json")
                .send(new JsonObject().put("message", "answer me anyway").put("session_id", session).encode());
            // the visitor gives up while the model is still thinking (it answers after 300 ms)
            app.vertx.setTimer(100, t -> request.connection().close());
          });
      return completed;
    }).map(event -> {
      assertThat(event.getString("status")).isEqualTo("complete");
      assertThat(event.getString("assistant")).isEqualTo("Echo: answer me anyway");
      return null;
    })).onComplete(done -> client.close().onComplete(closed -> test.succeedingThenComplete().handle(done)));
  }

  // ---- #72 / #80 errors in the middle of a stream ---------------------------------------------------

  @Test
  void a_stream_that_stalls_mid_answer_ends_with_a_retryable_timeout_and_closes_upstream(VertxTestContext test) {
    app.openai.enqueue(Fault.stallAfterChunks(2));
    openAiBot().compose(bot -> Turns.stream(app, bot, "stall-sse-1", "tell me more").compose(turn -> {
      assertThat(turn.text()).isEqualTo("Echo: tell");
      JsonObject error = turn.first("error");
      assertThat(error.getString("code")).isEqualTo("provider_timeout");
      assertThat(error.getBoolean("retryable")).isTrue();
      assertThat(turn.last()).isEqualTo("error");
      return app.openai.connectionClosed(0);
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_error_event_after_some_text_ends_the_stream_without_a_silent_retry(VertxTestContext test) {
    app.openai.enqueue(Fault.inBandErrorAfterChunks(2));
    openAiBot().compose(bot -> Turns.stream(app, bot, "inband-late-1", "tell me more").compose(turn -> {
      assertThat(turn.text()).isEqualTo("Echo: tell");
      assertThat(turn.last()).isEqualTo("error");
      assertThat(turn.first("error").getString("code")).isEqualTo("provider_stream_broken");
      assertThat(turn.first("error").getBoolean("retryable")).isTrue();
      assertThat(app.openai.requestCount()).isEqualTo(1);
      return Turns.log(app, bot, "inband-late-1");
    }).map(log -> {
      assertThat(log.getJsonObject(1).getString("status")).isEqualTo("incomplete");
      assertThat(log.getJsonObject(1).getString("content")).isEqualTo("Echo: tell");
      assertThat(log.getJsonObject(1).getString("error")).isEqualTo("provider_stream_broken");
      return null;
    })).onComplete(test.succeedingThenComplete());
  }

  // ---- #71 a blackholed host ------------------------------------------------------------------------

  @Test
  void a_host_that_never_accepts_fails_provider_timeout_after_one_connect_timeout(VertxTestContext test) {
    String base = "http://127.0.0.1:" + blackhole.getLocalPort() + "/v1";
    long started = System.nanoTime();
    Turns.openAiBot(app, new JsonObject().put("base_url", base)).compose(bot ->
        Turns.json(app, bot, "blackhole-json-1", "hello").compose(turn -> {
          assertThat(turn.status()).isEqualTo(504);
          assertThat(turn.errorCode()).isEqualTo("provider_timeout");
          assertThat(retries(bot)).isEmpty();
          // one connect timeout: a second attempt would take at least twice as long
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(2 * CONNECT_TIMEOUT_MS);
          return Turns.onlyUserStored(app, bot, "blackhole-json-1", "hello", "provider_timeout");
        })).onComplete(test.succeedingThenComplete());
  }

  // ---- #84 TLS ----------------------------------------------------------------------------------------

  @Test
  void an_untrusted_certificate_fails_closed_with_provider_tls_error_and_no_plain_http_retry(Vertx vertx,
      VertxTestContext test) {
    FakeOpenAi secure = new FakeOpenAi();
    // a certificate nobody trusts, for another host name than the one Parley dials (127.0.0.1)
    secure.tls(SelfSignedCertificate.create("provider.example").keyCertOptions());
    List<Byte> firstBytes = new CopyOnWriteArrayList<>();
    vertx.deployVerticle(secure)
        .compose(deployed -> countingProxy(vertx, secure.port(), firstBytes))
        .compose(proxy -> Turns.openAiBot(app, new JsonObject()
                .put("base_url", "https://127.0.0.1:" + proxy.actualPort() + "/v1"))
            .compose(bot -> Turns.json(app, bot, "tls-json-1", "hello").compose(turn -> {
              assertThat(turn.status()).isEqualTo(502);
              assertThat(turn.errorCode()).isEqualTo("provider_tls_error");
              return Turns.stream(app, bot, "tls-sse-1", "hello");
            }).compose(turn -> {
              assertThat(turn.names()).containsExactly("start", "error");
              assertThat(turn.first("error").getString("code")).isEqualTo("provider_tls_error");
              assertThat(turn.first("error").getBoolean("retryable")).isFalse();
              // one connection per turn, each opening with a TLS handshake record (0x16): no retry, no plain HTTP
              assertThat(firstBytes).containsExactly((byte) 0x16, (byte) 0x16);
              assertThat(secure.requestCount()).isZero();
              assertThat(retries(bot)).isEmpty();
              return Future.all(bot(bot), Turns.onlyUserStored(app, bot, "tls-json-1", "hello", "provider_tls_error"));
            }).map(both -> {
              assertThat(((JsonObject) both.resultAt(0)).getJsonObject("provider_status").getString("code"))
                  .isEqualTo("provider_tls_error");
              return proxy;
            }))
            .compose(NetServer::close))
        .eventually(() -> secure.close())
        .onComplete(test.succeedingThenComplete());
  }

  /** A TCP relay to {@code port} that records the first byte each connection sends. */
  private static Future<NetServer> countingProxy(Vertx vertx, int port, List<Byte> firstBytes) {
    var upstream = vertx.createNetClient();
    return vertx.createNetServer().connectHandler(in -> {
      in.pause();
      upstream.connect(port, "127.0.0.1").onSuccess(out -> relay(in, out, firstBytes)).onFailure(f -> in.close());
    }).listen(0, "127.0.0.1");
  }

  private static void relay(NetSocket in, NetSocket out, List<Byte> firstBytes) {
    boolean[] first = {true};
    in.handler(data -> {
      if (first[0]) {
        first[0] = false;
        firstBytes.add(data.getByte(0));
      }
      out.write(data);
    });
    out.handler(in::write);
    in.closeHandler(v -> out.close());
    out.closeHandler(v -> in.close());
    in.resume();
  }
}
