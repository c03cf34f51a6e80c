package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.reliability.Turns;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The public session routes change nothing an operator relies on: a visitor's clear only detaches
 * the history from the visitor (the turns stay in logs, stats, usage and budgets), and feedback and
 * session reads reach only what the visitor's own bot and session still show.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SessionClearTest {

  static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    // budgets read the stored spend on every turn, so a clear that deleted it would show at once
    return new JsonObject().put("http", new JsonObject().put("budget_cache_ms", 0));
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
  }

  private static Future<String> bot(JsonObject extra) {
    return app.createBot(new JsonObject().put("name", "Clear test").put("provider", "openai")
        .put("api_key", "sk-clear-test-0123456789").put("rag", new JsonObject().put("enabled", false)).mergeIn(extra))
        .map(bot -> bot.getString("id"));
  }

  /** Runs {@code test} with two fresh bots: the visitor's and another one. */
  private static <T> Future<T> twoBots(BiFunction<String, String, Future<T>> test) {
    return Future.all(bot(new JsonObject()), bot(new JsonObject()))
        .compose(bots -> test.apply(bots.resultAt(0), bots.resultAt(1)));
  }

  private static Future<JsonObject> turn(String botId, String session, String message) {
    return app.chat(botId, new JsonObject().put("message", message).put("session_id", session)).map(response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      return response.bodyAsJsonObject();
    });
  }

  private static Future<Void> clear(String botId, String session) {
    return app.client.delete("/api/chat/" + botId + "/session/" + session).send().map(response -> {
      assertThat(response.statusCode()).isEqualTo(204);
      return null;
    });
  }

  private static Future<JsonObject> today(String botId) {
    return app.admin(HttpMethod.GET, "/api/bots/" + botId + "/stats?days=1").send().map(response -> {
      JsonObject stats = response.bodyAsJsonObject();
      return stats.getJsonArray("days").getJsonObject(0).put("tokens_today",
          stats.getJsonObject("budget").getLong("tokens_today"));
    });
  }

  private static Future<HttpResponse<Buffer>> rate(String botId, String messageId) {
    return app.client.post("/api/chat/" + botId + "/messages/" + messageId + "/feedback")
        .sendJsonObject(new JsonObject().put("rating", "down"));
  }

  /** The messages of the last model request: the system prompt, the history, the new question. */
  private static JsonArray lastPrompt() {
    return app.openai.requests().get(app.openai.requests().size() - 1).getJsonArray("messages");
  }

  @Test
  void clear_keeps_the_turns_in_usage_stats_and_logs(VertxTestContext test) {
    String session = "clear-keeps-session";
    bot(new JsonObject()).compose(id -> turn(id, session, "first question")
        .compose(r -> turn(id, session, "second question"))
        .compose(r -> today(id))
        .compose(before -> clear(id, session).compose(v -> today(id)).map(after -> {
          assertThat(before.getLong("turns")).isEqualTo(2);
          assertThat(before.getLong("tokens_today")).isPositive();
          assertThat(after.getLong("turns")).isEqualTo(before.getLong("turns"));
          assertThat(after.getLong("tokens_today")).isEqualTo(before.getLong("tokens_today"));
          assertThat(after.getDouble("cost")).isEqualTo(before.getDouble("cost"));
          return after;
        }))
        .compose(after -> Turns.log(app, id, session))
        .compose(log -> {
          assertThat(log).hasSize(4);
          assertThat(log.getJsonObject(0).getString("content")).isEqualTo("first question");
          return Turns.session(app, id, session);
        })
        .map(visible -> {
          assertThat(visible).isEmpty();
          return visible;
        })
        .compose(v -> app.admin(HttpMethod.GET, "/api/bots/" + id + "/conversations").send())
        .map(list -> {
          JsonObject conversations = list.bodyAsJsonObject();
          assertThat(conversations.getLong("total")).isEqualTo(1);
          JsonObject conversation = conversations.getJsonArray("conversations").getJsonObject(0);
          assertThat(conversation.getString("first_message")).isEqualTo("first question");
          assertThat(conversation.getLong("cleared_at")).isPositive();
          return conversation;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void the_next_turn_after_a_clear_starts_without_memory_and_builds_a_new_one(VertxTestContext test) {
    String session = "clear-memory-session";
    bot(new JsonObject()).compose(id -> turn(id, session, "remember the word kumquat")
        .compose(r -> clear(id, session))
        .compose(v -> turn(id, session, "what was the word?"))
        .compose(r -> {
          JsonArray prompt = lastPrompt();
          assertThat(prompt).hasSize(2);
          assertThat(prompt.encode()).doesNotContain("kumquat");
          return turn(id, session, "and now?");
        })
        .compose(r -> {
          JsonArray prompt = lastPrompt();
          assertThat(prompt).hasSize(4);
          assertThat(prompt.getJsonObject(1).getString("content")).isEqualTo("what was the word?");
          assertThat(prompt.encode()).doesNotContain("kumquat");
          return Future.all(Turns.session(app, id, session), Turns.log(app, id, session));
        })
        .map(both -> {
          JsonArray visible = both.resultAt(0);
          assertThat(visible).extracting(m -> ((JsonObject) m).getString("content"))
              .containsExactly("what was the word?", "Echo: what was the word?", "and now?", "Echo: and now?");
          JsonArray log = both.resultAt(1);
          assertThat(log).hasSize(6);
          return log;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_clear_does_not_reset_the_daily_budget(VertxTestContext test) {
    String session = "clear-budget-session";
    bot(new JsonObject().put("budget", new JsonObject().put("daily_tokens", 1).put("message", "Budget spent.")))
        .compose(id -> turn(id, session, "spend it")
            .compose(r -> clear(id, session))
            .compose(v -> turn(id, "clear-budget-other", "once more"))
            .map(answer -> {
              assertThat(answer.getString("response")).isEqualTo("Budget spent.");
              assertThat(app.openai.requests()).hasSize(1);
              return answer;
            }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void feedback_reaches_only_answers_its_bot_and_session_still_show(VertxTestContext test) {
    String session = "clear-feedback-session";
    twoBots((id, other) -> turn(id, session, "rate this").compose(answer -> {
      String messageId = answer.getString("message_id");
      return rate(other, messageId).compose(foreign -> {
        assertThat(foreign.statusCode()).isEqualTo(404);
        return clear(id, session);
      }).compose(v -> rate(id, messageId)).compose(cleared -> {
        assertThat(cleared.statusCode()).isEqualTo(404);
        return Turns.log(app, id, session);
      }).map(log -> {
        assertThat(log.getJsonObject(1).getValue("feedback")).isNull();
        return log;
      });
    })).onComplete(test.succeedingThenComplete());
  }

  /**
   * Five writes against a limit of two per minute: however the minute's windows fall across them, one
   * window holds three, so one is refused. Turns are counted apart: the second turn still passes.
   */
  @Test
  void feedback_and_clears_count_against_the_address_limit_apart_from_turns(VertxTestContext test) {
    String session = "clear-limited-session";
    bot(new JsonObject().put("rate_limit", new JsonObject().put("per_address_per_minute", 2)))
        .compose(id -> turn(id, session, "rate me often").compose(answer -> {
          String messageId = answer.getString("message_id");
          Future<HttpResponse<Buffer>> writes = rate(id, messageId);
          for (int i = 0; i < 4; i++) {
            int n = i;
            writes = writes.compose(previous -> previous.statusCode() == 429 ? Future.succeededFuture(previous)
                : n % 2 == 0 ? app.client.delete("/api/chat/" + id + "/session/" + session).send() : rate(id, messageId));
          }
          return writes;
        }).compose(last -> {
          assertThat(last.statusCode()).isEqualTo(429);
          assertThat(last.getHeader("Retry-After")).isNotNull();
          assertThat(last.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("rate_limited");
          return turn(id, session, "still talking");
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_session_is_seen_and_cleared_only_through_its_own_bot(VertxTestContext test) {
    String session = "clear-foreign-session";
    twoBots((id, other) -> turn(id, session, "mine only")
          .compose(r -> Turns.session(app, other, session))
          .compose(foreign -> {
            assertThat(foreign).isEmpty();
            return clear(other, session);
          })
          .compose(v -> Turns.session(app, id, session))
          .map(mine -> {
            assertThat(mine).hasSize(2);
            return mine;
          })).onComplete(test.succeedingThenComplete());
  }
}
