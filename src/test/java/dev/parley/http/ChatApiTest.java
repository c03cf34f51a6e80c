package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.Fault;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SseEvents;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@ParleyTest
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ChatApiTest {

  private static final String CANARY_KEY = "sk-TESTCANARY-chat-api-0a1b2c3d4e5f";

  private static TestApp app;
  private static final List<String> seenBodies = new ArrayList<>();

  @BeforeEach
  void resetFakes() {
    app.openai.reset();
    app.anthropic.reset();
  }

  @AfterAll
  static void key_never_appeared_in_any_response() {
    assertThat(seenBodies).isNotEmpty();
    assertThat(String.join("\n", seenBodies)).doesNotContain(CANARY_KEY).doesNotContain("TESTCANARY");
  }

  private static Future<JsonObject> bot(JsonObject extra) {
    JsonObject fields = new JsonObject().put("name", "Chat test").put("provider", "openai").put("api_key", CANARY_KEY)
        .put("prompt", "You are a test bot.");
    return app.createBot(fields.mergeIn(extra));
  }

  private static Future<HttpResponse<Buffer>> chat(String botId, JsonObject body) {
    return app.chat(botId, body).onSuccess(ChatApiTest::seen);
  }

  private static Future<SseEvents> stream(String botId, JsonObject body) {
    return app.client.post("/api/chat/" + botId).putHeader("Accept", "text/event-stream").sendJsonObject(body)
        .onSuccess(ChatApiTest::seen)
        .map(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.getHeader("Content-Type")).startsWith("text/event-stream");
          return SseEvents.parse(response.bodyAsString());
        });
  }

  private static Future<JsonArray> session(String botId, String sessionId) {
    return app.client.get("/api/chat/" + botId + "/session/" + sessionId).send().onSuccess(ChatApiTest::seen)
        .map(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          return response.bodyAsJsonObject().getJsonArray("messages");
        });
  }

  private static void seen(HttpResponse<Buffer> response) {
    seenBodies.add(response.headers().toString() + response.bodyAsString());
  }

  private static JsonObject error(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error");
  }

  @Test
  void chat_answers_as_json_and_stores_both_messages(VertxTestContext test) {
    bot(new JsonObject()).compose(bot -> chat(bot.getString("id"), new JsonObject().put("message", "Hello there"))
        .compose(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          JsonObject body = response.bodyAsJsonObject();
          assertThat(body.getString("response")).isEqualTo("Echo: Hello there");
          assertThat(body.getString("session_id")).matches("[0-9a-f-]{36}");
          assertThat(body.getString("message_id")).isNotBlank();
          assertThat(body.getJsonArray("sources")).isEmpty();
          assertThat(body.getJsonObject("usage").getInteger("input_tokens")).isPositive();
          assertThat(body.getJsonObject("usage").getInteger("output_tokens")).isPositive();
          assertThat(body.getJsonObject("usage").getDouble("cost")).isPositive();
          JsonObject upstream = app.openai.requests().get(0);
          assertThat(upstream.getString("model")).isEqualTo("gpt-4o-mini");
          assertThat(app.openai.requestHeaders().get(0).get("authorization")).isEqualTo("Bearer " + CANARY_KEY);
          return session(bot.getString("id"), body.getString("session_id")).map(messages -> {
            assertThat(messages).hasSize(2);
            assertThat(messages.getJsonObject(0).getString("role")).isEqualTo("user");
            assertThat(messages.getJsonObject(0).getString("content")).isEqualTo("Hello there");
            assertThat(messages.getJsonObject(1).getString("role")).isEqualTo("assistant");
            assertThat(messages.getJsonObject(1).getString("id")).isEqualTo(body.getString("message_id"));
            assertThat(messages.getJsonObject(1).getString("status")).isEqualTo("complete");
            assertThat(messages.getJsonObject(1).containsKey("cost")).isFalse();
            return messages;
          });
        })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void memory_carries_earlier_turns_of_the_same_session_to_the_model(VertxTestContext test) {
    bot(new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      String session = "session-memory-1";
      return chat(id, new JsonObject().put("message", "My name is Ada").put("session_id", session))
          .compose(first -> chat(id, new JsonObject().put("message", "What is my name?").put("session_id", session)))
          .map(second -> {
            assertThat(second.statusCode()).isEqualTo(200);
            JsonArray messages = app.openai.requests().get(1).getJsonArray("messages");
            assertThat(messages.stream().map(m -> ((JsonObject) m).getString("role")))
                .containsExactly("system", "user", "assistant", "user");
            assertThat(messages.getJsonObject(0).getString("content")).isEqualTo("You are a test bot.");
            assertThat(messages.getJsonObject(1).getString("content")).isEqualTo("My name is Ada");
            assertThat(messages.getJsonObject(2).getString("content")).isEqualTo("Echo: My name is Ada");
            assertThat(messages.getJsonObject(3).getString("content")).isEqualTo("What is my name?");
            return second;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void sessions_and_bots_do_not_see_each_others_history(VertxTestContext test) {
    Future.all(bot(new JsonObject()), bot(new JsonObject())).compose(bots -> {
      String one = ((JsonObject) bots.resultAt(0)).getString("id");
      String two = ((JsonObject) bots.resultAt(1)).getString("id");
      String shared = "shared-session-id";
      return chat(one, new JsonObject().put("message", "secret of session A").put("session_id", shared))
          .compose(r -> chat(one, new JsonObject().put("message", "other session").put("session_id", "another-session")))
          .compose(r -> chat(two, new JsonObject().put("message", "same id other bot").put("session_id", shared)))
          .compose(r -> {
            assertThat(app.openai.requests().get(1).getJsonArray("messages")).hasSize(2);
            assertThat(app.openai.requests().get(2).getJsonArray("messages")).hasSize(2);
            assertThat(app.openai.requests().get(2).encode()).doesNotContain("secret of session A");
            return session(two, shared);
          })
          .map(messages -> {
            assertThat(messages).hasSize(2);
            assertThat(messages.encode()).doesNotContain("secret of session A");
            return messages;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void history_is_limited_to_the_bots_history_limit(VertxTestContext test) {
    bot(new JsonObject().put("history_limit", 2)).compose(bot -> {
      String id = bot.getString("id");
      JsonObject turn = new JsonObject().put("session_id", "limited-session");
      return chat(id, turn.copy().put("message", "one"))
          .compose(r -> chat(id, turn.copy().put("message", "two")))
          .compose(r -> chat(id, turn.copy().put("message", "three")))
          .map(r -> {
            JsonArray messages = app.openai.requests().get(2).getJsonArray("messages");
            assertThat(messages.stream().map(m -> ((JsonObject) m).getString("content")))
                .containsExactly("You are a test bot.", "two", "Echo: two", "three");
            return r;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void failed_turns_and_incomplete_answers_stay_out_of_later_history(VertxTestContext test) {
    bot(new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      JsonObject turn = new JsonObject().put("session_id", "history-gaps-session");
      return chat(id, turn.copy().put("message", "first"))
          .compose(r -> {
            for (int i = 0; i < 3; i++) {
              app.openai.enqueue(Fault.status(500));
            }
            return chat(id, turn.copy().put("message", "failed turn"));
          })
          .compose(failed -> {
            assertThat(failed.statusCode()).isEqualTo(502);
            app.openai.enqueue(Fault.resetAfterChunks(1));
            return stream(id, turn.copy().put("message", "broken stream"));
          })
          .compose(broken -> chat(id, turn.copy().put("message", "last")))
          .map(last -> {
            assertThat(last.statusCode()).isEqualTo(200);
            JsonArray messages = app.openai.requests().get(app.openai.requests().size() - 1).getJsonArray("messages");
            // the failed turn's message and the broken stream's partial answer are not history
            assertThat(messages.stream().map(m -> ((JsonObject) m).getString("content")))
                .containsExactly("You are a test bot.", "first", "Echo: first", "broken stream", "last");
            return last;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void bad_chat_requests_get_clear_errors_and_store_nothing(VertxTestContext test) {
    bot(new JsonObject().put("max_message_chars", 10)).compose(bot -> {
      String id = bot.getString("id");
      Future<HttpResponse<Buffer>> badSession = chat(id, new JsonObject().put("message", "hi").put("session_id", "../etc"));
      Future<HttpResponse<Buffer>> shortSession = chat(id, new JsonObject().put("message", "hi").put("session_id", "abc"));
      Future<HttpResponse<Buffer>> numberSession = chat(id, new JsonObject().put("message", "hi").put("session_id", 12345678));
      Future<HttpResponse<Buffer>> noMessage = chat(id, new JsonObject().put("session_id", "valid-session"));
      Future<HttpResponse<Buffer>> blank = chat(id, new JsonObject().put("message", "   "));
      Future<HttpResponse<Buffer>> wrongType = chat(id, new JsonObject().put("message", new JsonObject()));
      Future<HttpResponse<Buffer>> tooLong = chat(id, new JsonObject().put("message", "x".repeat(11)).put("session_id", "valid-session"));
      Future<HttpResponse<Buffer>> huge = chat(id, new JsonObject().put("message", "y".repeat(70_000)));
      Future<HttpResponse<Buffer>> unknownBot = chat("bot_nosuchbot", new JsonObject().put("message", "hi"));
      Future<HttpResponse<Buffer>> text = app.client.post("/api/chat/" + id).sendBuffer(Buffer.buffer("hi"));
      return Future.join(List.of(badSession, shortSession, numberSession, noMessage, blank, wrongType, tooLong, huge,
          unknownBot, text)).compose(done -> {
            assertThat(badSession.result().statusCode()).isEqualTo(400);
            assertThat(error(badSession.result()).getString("code")).isEqualTo("invalid_session_id");
            assertThat(shortSession.result().statusCode()).isEqualTo(400);
            assertThat(numberSession.result().statusCode()).isEqualTo(400);
            assertThat(noMessage.result().statusCode()).isEqualTo(400);
            assertThat(error(noMessage.result()).getString("code")).isEqualTo("invalid_message");
            assertThat(blank.result().statusCode()).isEqualTo(400);
            assertThat(wrongType.result().statusCode()).isEqualTo(400);
            assertThat(tooLong.result().statusCode()).isEqualTo(413);
            assertThat(error(tooLong.result()).getString("code")).isEqualTo("message_too_long");
            assertThat(huge.result().statusCode()).isEqualTo(413);
            assertThat(error(huge.result()).getString("code")).isEqualTo("payload_too_large");
            assertThat(unknownBot.result().statusCode()).isEqualTo(404);
            assertThat(text.result().statusCode()).isEqualTo(415);
            assertThat(app.openai.requestCount()).isZero();
            return session(id, "valid-session");
          }).map(messages -> {
            assertThat(messages).isEmpty();
            return messages;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_failing_provider_gives_502_and_the_user_message_is_still_stored(VertxTestContext test) {
    app.openai.enqueue(Fault.status(500));
    app.openai.enqueue(Fault.status(500));
    app.openai.enqueue(Fault.status(500));
    bot(new JsonObject()).compose(bot -> chat(bot.getString("id"),
        new JsonObject().put("message", "Are you there?").put("session_id", "failing-session")).compose(response -> {
          assertThat(response.statusCode()).isEqualTo(502);
          assertThat(error(response).getString("code")).isEqualTo("provider_unavailable");
          assertThat(error(response).getString("request_id")).isNotBlank();
          assertThat(app.openai.requestCount()).isEqualTo(3);
          return session(bot.getString("id"), "failing-session");
        }).map(messages -> {
          assertThat(messages).hasSize(1);
          assertThat(messages.getJsonObject(0).getString("content")).isEqualTo("Are you there?");
          return messages;
        })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_provider_timeout_gives_504(VertxTestContext test) {
    app.openai.enqueue(Fault.stall());
    app.openai.enqueue(Fault.stall());
    app.openai.enqueue(Fault.stall());
    bot(new JsonObject()).compose(bot -> chat(bot.getString("id"), new JsonObject().put("message", "slow?")))
        .map(response -> {
          assertThat(response.statusCode()).isEqualTo(504);
          assertThat(error(response).getString("code")).isEqualTo("provider_timeout");
          return response;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void streaming_sends_start_deltas_in_order_then_done_and_stores_the_answer(VertxTestContext test) {
    app.openai.answerWith("One two three four five six");
    bot(new JsonObject()).compose(bot -> stream(bot.getString("id"),
        new JsonObject().put("message", "Count").put("session_id", "stream-session")).compose(events -> {
          assertThat(events.names().get(0)).isEqualTo("start");
          assertThat(events.names().get(events.names().size() - 1)).isEqualTo("done");
          assertThat(events.names().subList(1, events.names().size() - 1)).hasSizeGreaterThan(3).allMatch("delta"::equals);
          assertThat(events.deltaText()).isEqualTo("One two three four five six");
          assertThat(events.first("start").getString("session_id")).isEqualTo("stream-session");
          JsonObject done = events.first("done");
          assertThat(done.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(6);
          assertThat(app.openai.requests().get(0).getBoolean("stream")).isTrue();
          return session(bot.getString("id"), "stream-session").map(messages -> {
            assertThat(messages).hasSize(2);
            assertThat(messages.getJsonObject(1).getString("content")).isEqualTo("One two three four five six");
            assertThat(messages.getJsonObject(1).getString("id")).isEqualTo(done.getString("message_id"));
            return messages;
          });
        })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void stream_true_in_the_body_also_streams(VertxTestContext test) {
    bot(new JsonObject()).compose(bot -> app.client.post("/api/chat/" + bot.getString("id"))
        .sendJsonObject(new JsonObject().put("message", "hi").put("stream", true)))
        .map(response -> {
          assertThat(response.getHeader("Content-Type")).startsWith("text/event-stream");
          assertThat(SseEvents.parse(response.bodyAsString()).names()).startsWith("start").endsWith("done");
          return response;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_that_fails_ends_with_an_error_event_and_keeps_the_user_message(VertxTestContext test) {
    app.openai.enqueue(Fault.status(401));
    bot(new JsonObject()).compose(bot -> stream(bot.getString("id"),
        new JsonObject().put("message", "hello?").put("session_id", "stream-error-session")).compose(events -> {
          assertThat(events.names()).containsExactly("start", "error");
          // a refused key is the operator's business: the visitor gets the generic error
          assertThat(events.first("error").getString("code")).isEqualTo("bot_unavailable");
          return session(bot.getString("id"), "stream-error-session");
        }).map(messages -> {
          assertThat(messages).hasSize(1);
          assertThat(messages.getJsonObject(0).getString("role")).isEqualTo("user");
          return messages;
        })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stream_broken_midway_stores_the_partial_answer_as_incomplete(VertxTestContext test) {
    app.openai.answerWith("alpha beta gamma delta epsilon zeta");
    app.openai.enqueue(Fault.resetAfterChunks(2));
    bot(new JsonObject()).compose(bot -> stream(bot.getString("id"),
        new JsonObject().put("message", "go").put("session_id", "broken-stream-session")).compose(events -> {
          assertThat(events.names().get(events.names().size() - 1)).isEqualTo("error");
          assertThat(events.deltaText()).isNotEmpty();
          return session(bot.getString("id"), "broken-stream-session").map(messages -> {
            assertThat(messages).hasSize(2);
            JsonObject partial = messages.getJsonObject(1);
            assertThat(partial.getString("status")).isEqualTo("incomplete");
            assertThat(partial.getString("content")).isEqualTo(events.deltaText());
            return messages;
          });
        })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_client_leaving_mid_stream_stops_the_answer_and_what_it_was_sent_is_stored_incomplete(VertxTestContext test) {
    String answer = "This answer keeps coming long after the visitor has closed the tab";
    app.openai.answerWith(answer);
    app.openai.chunkDelayMs(40);
    bot(new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      Promise<Void> left = Promise.promise();
      var http = app.vertx.createHttpClient();
      http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(app.port)
              .setURI("/api/chat/" + id))
          .compose(request -> {
            request.putHeader("Content-Type", "application/json").putHeader("Accept", "text/event-stream");
            return request.send(new JsonObject().put("message", "talk").put("session_id", "leaving-session").encode());
          })
          .onSuccess(response -> response.handler(chunk -> {
            if (chunk.toString().contains("event: delta")) {
              response.request().connection().close();
              left.tryComplete();
            }
          }))
          .onFailure(left::tryFail);
      return left.future()
          .compose(v -> poll(() -> session(id, "leaving-session"), messages -> messages.size() == 2))
          .map(messages -> {
            // the model was stopped (ProviderHardeningTest times it): only the beginning was sent and stored
            assertThat(messages.getJsonObject(1).getString("content")).startsWith("This").isNotEqualTo(answer);
            assertThat(messages.getJsonObject(1).getString("status")).isEqualTo("incomplete");
            return messages;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void anthropic_bots_answer_as_json_and_as_a_stream(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Claude").put("provider", "anthropic").put("api_key", CANARY_KEY))
        .compose(bot -> chat(bot.getString("id"), new JsonObject().put("message", "Bonjour"))
            .compose(json -> {
              assertThat(json.statusCode()).isEqualTo(200);
              assertThat(json.bodyAsJsonObject().getString("response")).isEqualTo("Echo: Bonjour");
              assertThat(app.anthropic.requestHeaders().get(0).get("x-api-key")).isEqualTo(CANARY_KEY);
              assertThat(app.anthropic.requests().get(0).getString("system")).startsWith("You are a helpful");
              return stream(bot.getString("id"), new JsonObject().put("message", "stream this please"));
            }))
        .map(events -> {
          assertThat(events.deltaText()).isEqualTo("Echo: stream this please");
          assertThat(events.names()).endsWith("done");
          return events;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void clearing_a_session_forgets_its_history(VertxTestContext test) {
    bot(new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      String session = "clearing-session";
      return chat(id, new JsonObject().put("message", "remember me").put("session_id", session))
          .compose(r -> app.client.delete("/api/chat/" + id + "/session/" + session).send())
          .compose(deleted -> {
            assertThat(deleted.statusCode()).isEqualTo(204);
            return session(id, session);
          })
          .compose(messages -> {
            assertThat(messages).isEmpty();
            return chat(id, new JsonObject().put("message", "fresh start").put("session_id", session));
          })
          .map(r -> {
            assertThat(app.openai.requests().get(1).getJsonArray("messages")).hasSize(2);
            return r;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void feedback_is_recorded_on_the_answer(VertxTestContext test) {
    bot(new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      return chat(id, new JsonObject().put("message", "rate me").put("session_id", "feedback-session")).compose(r -> {
        String messageId = r.bodyAsJsonObject().getString("message_id");
        String path = "/api/chat/" + id + "/messages/" + messageId + "/feedback";
        Future<HttpResponse<Buffer>> up = app.client.post(path).sendJsonObject(new JsonObject().put("rating", "up")
            .put("comment", "Great"));
        Future<HttpResponse<Buffer>> invalid = app.client.post(path).sendJsonObject(new JsonObject().put("rating", "meh"));
        Future<HttpResponse<Buffer>> unknown = app.client.post("/api/chat/" + id + "/messages/nope/feedback")
            .sendJsonObject(new JsonObject().put("rating", "down"));
        return Future.all(up, invalid, unknown).compose(all -> {
          assertThat(up.result().statusCode()).isEqualTo(200);
          assertThat(invalid.result().statusCode()).isEqualTo(422);
          assertThat(error(invalid.result()).getString("field")).isEqualTo("rating");
          assertThat(unknown.result().statusCode()).isEqualTo(404);
          return session(id, "feedback-session");
        }).map(messages -> {
          assertThat(messages.getJsonObject(1).getString("feedback")).isEqualTo("up");
          return messages;
        });
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void cors_follows_the_bots_allowed_origins(VertxTestContext test) {
    Future.all(bot(new JsonObject().put("allowed_origins", new JsonArray().add("https://shop.example"))),
        bot(new JsonObject())).compose(bots -> {
          String strict = ((JsonObject) bots.resultAt(0)).getString("id");
          String open = ((JsonObject) bots.resultAt(1)).getString("id");
          JsonObject hi = new JsonObject().put("message", "hi");
          Future<HttpResponse<Buffer>> allowed = app.client.post("/api/chat/" + strict)
              .putHeader("Origin", "https://shop.example").sendJsonObject(hi);
          Future<HttpResponse<Buffer>> foreign = app.client.post("/api/chat/" + strict)
              .putHeader("Origin", "https://evil.example").sendJsonObject(hi);
          Future<HttpResponse<Buffer>> own = app.client.post("/api/chat/" + strict)
              .putHeader("Origin", "http://127.0.0.1:" + app.port).sendJsonObject(hi);
          Future<HttpResponse<Buffer>> preflight = app.client.request(HttpMethod.OPTIONS, "/api/chat/" + strict)
              .putHeader("Origin", "https://shop.example").putHeader("Access-Control-Request-Method", "POST").send();
          Future<HttpResponse<Buffer>> foreignPreflight = app.client.request(HttpMethod.OPTIONS, "/api/chat/" + strict)
              .putHeader("Origin", "https://evil.example").putHeader("Access-Control-Request-Method", "POST").send();
          Future<HttpResponse<Buffer>> anywhere = app.client.post("/api/chat/" + open)
              .putHeader("Origin", "https://anyone.example").sendJsonObject(hi);
          return Future.all(List.of(allowed, foreign, own, preflight, foreignPreflight, anywhere)).map(all -> {
            assertThat(allowed.result().statusCode()).isEqualTo(200);
            assertThat(allowed.result().getHeader("Access-Control-Allow-Origin")).isEqualTo("https://shop.example");
            assertThat(allowed.result().getHeader("Vary")).isEqualTo("Origin");
            assertThat(foreign.result().statusCode()).isEqualTo(403);
            assertThat(foreign.result().getHeader("Access-Control-Allow-Origin")).isNull();
            assertThat(error(foreign.result()).getString("code")).isEqualTo("origin_not_allowed");
            assertThat(own.result().statusCode()).isEqualTo(200);
            assertThat(preflight.result().statusCode()).isEqualTo(204);
            assertThat(preflight.result().getHeader("Access-Control-Allow-Methods")).contains("POST");
            assertThat(foreignPreflight.result().statusCode()).isEqualTo(403);
            assertThat(anywhere.result().statusCode()).isEqualTo(200);
            assertThat(anywhere.result().getHeader("Access-Control-Allow-Origin")).isEqualTo("https://anyone.example");
            return all;
          });
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void operators_see_conversations_and_usage(VertxTestContext test) {
    app.openai.enqueue(Fault.status(400));
    bot(new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      return chat(id, new JsonObject().put("message", "first").put("session_id", "logs-session"))
          .compose(r -> chat(id, new JsonObject().put("message", "second").put("session_id", "logs-session")))
          .compose(r -> app.admin(HttpMethod.GET, "/api/bots/" + id + "/conversations").send())
          .compose(list -> {
            assertThat(list.statusCode()).isEqualTo(200);
            JsonObject page = list.bodyAsJsonObject();
            assertThat(page.getLong("total")).isEqualTo(1);
            JsonObject conversation = page.getJsonArray("conversations").getJsonObject(0);
            assertThat(conversation.getString("session_id")).isEqualTo("logs-session");
            assertThat(conversation.getString("first_message")).isEqualTo("first");
            assertThat(conversation.getInteger("message_count")).isEqualTo(3);
            return app.admin(HttpMethod.GET, "/api/bots/" + id + "/conversations/" + conversation.getString("id")).send();
          })
          .compose(detail -> {
            assertThat(detail.statusCode()).isEqualTo(200);
            JsonArray messages = detail.bodyAsJsonObject().getJsonArray("messages");
            assertThat(messages).hasSize(3);
            assertThat(messages.getJsonObject(0).getString("error")).isEqualTo("provider_rejected");
            JsonObject answer = messages.getJsonObject(2);
            assertThat(answer.getString("provider")).isEqualTo("openai");
            assertThat(answer.getString("model")).isEqualTo("gpt-4o-mini");
            assertThat(answer.getInteger("output_tokens")).isPositive();
            assertThat(answer.getDouble("cost")).isPositive();
            assertThat(answer.getLong("latency_ms")).isNotNull();
            return app.admin(HttpMethod.GET, "/api/bots/" + id + "/stats?days=7").send();
          })
          .map(stats -> {
            assertThat(stats.statusCode()).isEqualTo(200);
            JsonArray days = stats.bodyAsJsonObject().getJsonArray("days");
            assertThat(days).hasSize(7);
            JsonObject today = days.getJsonObject(6);
            assertThat(today.getLong("turns")).isEqualTo(2);
            assertThat(today.getLong("errors")).isEqualTo(1);
            assertThat(today.getLong("output_tokens")).isPositive();
            assertThat(today.getDouble("cost")).isPositive();
            assertThat(days.getJsonObject(0).getLong("turns")).isZero();
            return stats;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void deleting_a_bot_removes_its_conversations(VertxTestContext test) {
    bot(new JsonObject()).compose(bot -> {
      String id = bot.getString("id");
      return chat(id, new JsonObject().put("message", "soon gone").put("session_id", "doomed-session"))
          .compose(r -> app.admin(HttpMethod.DELETE, "/api/bots/" + id).send())
          .compose(deleted -> {
            assertThat(deleted.statusCode()).isEqualTo(204);
            return app.vertx.executeBlocking(() -> {
              try (var connection = app.jdbc();
                   var statement = connection.prepareStatement("SELECT COUNT(*) FROM messages WHERE bot_id = ?")) {
                statement.setString(1, id);
                var rows = statement.executeQuery();
                rows.next();
                return rows.getInt(1);
              }
            });
          })
          .map(count -> {
            assertThat(count).isZero();
            return count;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  private static <T> Future<T> poll(java.util.function.Supplier<Future<T>> probe, Predicate<T> done) {
    Promise<T> result = Promise.promise();
    long deadline = System.currentTimeMillis() + 10_000;
    pollOnce(probe, done, result, deadline);
    return result.future();
  }

  private static <T> void pollOnce(java.util.function.Supplier<Future<T>> probe, Predicate<T> done, Promise<T> result,
      long deadline) {
    probe.get().onComplete(ar -> {
      if (ar.succeeded() && done.test(ar.result())) {
        result.complete(ar.result());
      } else if (System.currentTimeMillis() > deadline) {
        result.fail(ar.failed() ? ar.cause() : new AssertionError("condition not met: " + ar.result()));
      } else {
        app.vertx.setTimer(50, t -> pollOnce(probe, done, result, deadline));
      }
    });
  }
}
