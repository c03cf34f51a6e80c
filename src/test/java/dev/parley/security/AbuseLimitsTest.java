package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Abuse limits of the public chat API: rate limits per session and per client address (with
 * {@code X-Forwarded-For} honoured only from trusted proxies; here 127.0.0.1 is one, and the
 * cluster-wide counter code path is forced with {@code rate_limit_store: shared}), daily budgets,
 * and slow clients. Case numbers refer to the catalogue (§3: 21, 103, 109).
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class AbuseLimitsTest {

  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    JsonObject http = new JsonObject()
        .put("trusted_proxies", new JsonArray().add("127.0.0.1").add("10.0.0.0/8"))
        .put("rate_limit_store", "shared")
        .put("rate_limit", new JsonObject().put("per_session_per_minute", 1000).put("per_address_per_minute", 1000))
        .put("header_timeout_s", 1).put("keep_alive_timeout_s", 3).put("body_timeout_s", 1).put("min_body_rate_bytes_s", 1024)
        .put("budget_cache_ms", 60_000);
    return new JsonObject().put("http", http);
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
  }

  @Test
  void a_session_over_its_limit_gets_429_with_retry_after_and_nothing_is_stored_or_sent() throws Exception {
    String bot = bot(new JsonObject().put("rate_limit", new JsonObject().put("per_session_per_minute", 3)));
    String session = "limited-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      assertThat(chat(bot, session, null).statusCode()).isEqualTo(200);
    }
    HttpResponse<Buffer> refused = chat(bot, session, null);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("rate_limited");
    long retryAfter = Long.parseLong(refused.getHeader("Retry-After"));
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getLong("retry_after")).isEqualTo(retryAfter);
    assertThat(app.openai.requestCount()).isEqualTo(3);
    assertThat(app.count("SELECT COUNT(*) FROM messages WHERE bot_id = '" + bot + "'")).isEqualTo(6);
    assertThat(chat(bot, "other-" + UUID.randomUUID(), null).statusCode()).as("another session").isEqualTo(200);
  }

  @Test
  void an_address_over_its_limit_gets_429_whatever_session_it_claims() {
    String bot = bot(new JsonObject().put("rate_limit", new JsonObject().put("per_address_per_minute", 2)));
    assertThat(chat(bot, null, "203.0.113.7").statusCode()).isEqualTo(200);
    assertThat(chat(bot, null, "203.0.113.7").statusCode()).isEqualTo(200);
    HttpResponse<Buffer> refused = chat(bot, null, "203.0.113.7");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.getHeader("Retry-After")).isNotNull();
    assertThat(app.openai.requestCount()).isEqualTo(2);
    // Behind the trusted proxy (127.0.0.1), another client address has its own count.
    assertThat(chat(bot, null, "203.0.113.8").statusCode()).isEqualTo(200);
    // A trusted hop at the end of the chain is skipped: the client is the address before it.
    assertThat(chat(bot, null, "203.0.113.7, 10.1.2.3").statusCode()).isEqualTo(429);
    // A hop that is not an IP ends the walk: the last good address (the trusted proxy) is the client.
    assertThat(chat(bot, null, "203.0.113.7, unknown").statusCode()).isEqualTo(200);
  }

  @Test
  void limits_of_zero_turn_rate_limiting_off_for_a_bot() {
    String bot = bot(new JsonObject().put("rate_limit",
        new JsonObject().put("per_session_per_minute", 0).put("per_address_per_minute", 0)));
    for (int i = 0; i < 5; i++) {
      assertThat(chat(bot, "same-session-0", "203.0.113.9").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void past_its_daily_token_budget_a_bot_answers_with_its_message_and_calls_no_model() throws Exception {
    String message = "We are closed for today, see you tomorrow.";
    String bot = bot(new JsonObject().put("budget", new JsonObject().put("daily_tokens", 5).put("message", message)));
    HttpResponse<Buffer> first = chat(bot, "budget-session-1", null);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.bodyAsJsonObject().getString("response")).startsWith("Echo:");
    assertThat(app.openai.requestCount()).isEqualTo(1);

    HttpResponse<Buffer> over = chat(bot, "budget-session-1", null);
    assertThat(over.statusCode()).isEqualTo(200);
    assertThat(over.bodyAsJsonObject().getString("response")).isEqualTo(message);
    assertThat(over.bodyAsJsonObject().getJsonObject("usage"))
        .isEqualTo(new JsonObject().put("input_tokens", 0).put("output_tokens", 0).put("cost", 0.0));
    String streamed = Await.result(app.client.post("/api/chat/" + bot).putHeader("Accept", "text/event-stream")
        .sendJsonObject(new JsonObject().put("message", "again"))).bodyAsString();
    assertThat(streamed).contains("event: delta\ndata: {\"text\":\"" + message + "\"}").contains("event: done");
    assertThat(app.openai.requestCount()).as("no model call past the budget").isEqualTo(1);
    assertThat(app.count("SELECT COUNT(*) FROM messages WHERE bot_id = '" + bot + "' AND error = 'budget_exceeded'")).isEqualTo(2);

    JsonObject budget = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + bot + "/stats?days=7").send())
        .bodyAsJsonObject().getJsonObject("budget");
    assertThat(budget.getInteger("daily_tokens")).isEqualTo(5);
    assertThat(budget.getLong("tokens_today")).isGreaterThanOrEqualTo(5);
    assertThat(budget.getBoolean("exhausted")).isTrue();

    // Raising the budget lets the bot answer again (the bot cache follows the change event).
    assertThat(Await.result(app.admin(HttpMethod.PUT, "/api/bots/" + bot)
        .sendJsonObject(new JsonObject().put("budget", new JsonObject().put("daily_tokens", 1_000_000)))).statusCode())
        .isEqualTo(200);
    assertThat(eventually(() -> chat(bot, "budget-session-2", null).bodyAsJsonObject().getString("response")))
        .startsWith("Echo:");
  }

  @Test
  void a_daily_cost_budget_reads_todays_spend_from_the_database() {
    String bot = bot(new JsonObject().put("budget", new JsonObject().put("daily_cost", 0.0)));
    HttpResponse<Buffer> over = chat(bot, null, null);
    assertThat(over.bodyAsJsonObject().getString("response"))
        .isEqualTo("This assistant has reached its limit for today. Please try again tomorrow.");
    assertThat(app.openai.requestCount()).isZero();
    JsonObject budget = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + bot + "/stats?days=1").send())
        .bodyAsJsonObject().getJsonObject("budget");
    assertThat(budget.getDouble("daily_cost")).isEqualTo(0.0);
    assertThat(budget.getBoolean("exhausted")).isTrue();
  }

  @Test
  void a_bot_without_a_budget_is_never_exhausted() {
    String bot = bot(new JsonObject());
    JsonObject shown = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + bot).send()).bodyAsJsonObject();
    assertThat(shown.getJsonObject("budget").getValue("daily_tokens")).isNull();
    // new bots take bot.new_bot_rate_limit, which TestApp sets off (NewBotLimitsTest checks the shipped 20 and 120)
    assertThat(shown.getJsonObject("rate_limit").getInteger("per_session_per_minute")).isZero();
    JsonObject budget = Await.result(app.admin(HttpMethod.GET, "/api/bots/" + bot + "/stats").send()).bodyAsJsonObject()
        .getJsonObject("budget");
    assertThat(budget.getBoolean("exhausted")).isFalse();
  }

  /** Case 103: a client that trickles its request headers is cut off after header_timeout_s. */
  @Test
  void a_connection_trickling_its_headers_is_closed() {
    long started = System.currentTimeMillis();
    String answer = trickle("GET /health/live HTTP/1.1\r\nHost: x\r\n", 300, 20);
    assertThat(answer).isEmpty();
    assertThat(System.currentTimeMillis() - started).isBetween(1_000L, 4_000L);
  }

  /** A body sent at a few bytes a second gets 408 request_timeout after body_timeout_s, and the connection closes. */
  @Test
  void a_request_body_trickling_in_gets_408() {
    String answer = trickle("POST /api/chat/bot_any HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 1000\r\n\r\n{", 1, 200);
    assertThat(answer).startsWith("HTTP/1.1 408 ").contains("\"code\":\"request_timeout\"");
  }

  @Test
  void a_kept_alive_connection_with_no_request_is_closed_after_keep_alive_timeout_s_and_a_normal_client_is_served() {
    long started = System.currentTimeMillis();
    String answer = trickle("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n", 0, 0);
    assertThat(answer).startsWith("HTTP/1.1 200 ");
    assertThat(System.currentTimeMillis() - started).as("kept open past header_timeout_s").isBetween(3_000L, 6_000L);
    assertThat(Await.result(app.client.get("/health/live").send()).statusCode()).isEqualTo(200);
  }

  /**
   * A proxy that reuses an idle connection after longer than header_timeout_s is served on it: the server must not
   * close a kept-alive connection sooner than the proxy would, or a request sent just then is lost.
   */
  @Test
  void a_kept_alive_connection_idle_longer_than_header_timeout_s_serves_the_next_request() throws Exception {
    NetClient net = app.vertx.createNetClient();
    try {
      var socket = Await.result(net.connect(app.port, "127.0.0.1"));
      Buffer got = Buffer.buffer();
      socket.handler(got::appendBuffer);
      String request = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n";
      Await.result(socket.write(request));
      Await.result(Await.until(app.vertx, () -> got.toString().startsWith("HTTP/1.1 200 ")
          && got.toString().endsWith("}"), 5_000));
      Thread.sleep(2_000);
      Await.result(socket.write(request));
      Await.result(Await.until(app.vertx, () -> got.toString().indexOf("HTTP/1.1 200 ", 1) > 0, 5_000));
    } finally {
      Await.result(net.close());
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String bot(JsonObject extra) {
    return Await.result(app.createBot(new JsonObject().put("name", "Limits")
        .put("api_key", "sk-" + LogCanary.MARK + "-limits").mergeIn(extra))).getString("id");
  }

  private static HttpResponse<Buffer> chat(String bot, String session, String forwardedFor) {
    JsonObject body = new JsonObject().put("message", "hello");
    if (session != null) {
      body.put("session_id", session);
    }
    var request = app.client.post("/api/chat/" + bot);
    if (forwardedFor != null) {
      request.putHeader("X-Forwarded-For", forwardedFor);
    }
    return Await.result(request.sendJsonObject(body));
  }

  /** Sends {@code text} one byte every {@code everyMs} (all at once when 0), then waits up to 5 s for the server to close. */
  private static String trickle(String text, long everyMs, int maxBytes) {
    NetClient net = app.vertx.createNetClient();
    Promise<String> answer = Promise.promise();
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    net.connect(app.port, "127.0.0.1").onFailure(answer::fail).onSuccess(socket -> {
      Buffer got = Buffer.buffer();
      socket.handler(got::appendBuffer);
      socket.closeHandler(v -> answer.tryComplete(got.toString(StandardCharsets.ISO_8859_1)));
      if (everyMs == 0) {
        socket.write(Buffer.buffer(bytes));
      } else {
        int[] sent = {0};
        app.vertx.setPeriodic(everyMs, timer -> {
          if (sent[0] >= Math.min(bytes.length, maxBytes) || answer.future().isComplete()) {
            app.vertx.cancelTimer(timer);
            return;
          }
          socket.write(Buffer.buffer(new byte[] {bytes[sent[0]++]}));
        });
      }
      app.vertx.setTimer(8_000, t -> socket.close());
    });
    String result = Await.result(answer.future());
    Await.result(net.close());
    return result;
  }

  private static String eventually(java.util.function.Supplier<String> attempt) throws InterruptedException {
    String last = null;
    for (int i = 0; i < 50; i++) {
      last = attempt.get();
      if (last != null && last.startsWith("Echo:")) {
        return last;
      }
      Thread.sleep(200);
    }
    return last;
  }
}
