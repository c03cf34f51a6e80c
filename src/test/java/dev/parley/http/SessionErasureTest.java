package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;

/**
 * {@code DELETE /api/bots/{id}/sessions/{session_id}}: the session's conversation goes completely (messages, feedback,
 * the operator's log, cached history), the day totals keep their numbers, and nothing else is touched.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SessionErasureTest {

  static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("http", new JsonObject().put("budget_cache_ms", 0));
  }

  private static Future<String> bot() {
    return app.createBot(new JsonObject().put("name", "Erasure").put("provider", "openai")
        .put("api_key", "sk-erasure-test-0123456789").put("rag", new JsonObject().put("enabled", false)))
        .map(bot -> bot.getString("id"));
  }

  private static Future<JsonObject> turn(String botId, String session, String message) {
    return app.chat(botId, new JsonObject().put("message", message).put("session_id", session)).map(response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      return response.bodyAsJsonObject();
    });
  }

  private static Future<HttpResponse<Buffer>> erase(String botId, String session) {
    return app.admin(HttpMethod.DELETE, "/api/bots/" + botId + "/sessions/" + session).send();
  }

  private static Future<JsonObject> today(String botId) {
    return app.admin(HttpMethod.GET, "/api/bots/" + botId + "/stats?days=1").send()
        .map(response -> response.bodyAsJsonObject().getJsonArray("days").getJsonObject(0));
  }

  private static Future<JsonArray> conversations(String botId) {
    return app.admin(HttpMethod.GET, "/api/bots/" + botId + "/conversations").send()
        .map(response -> response.bodyAsJsonObject().getJsonArray("conversations"));
  }

  @Test
  void erasure_removes_the_conversation_and_keeps_the_day_totals(VertxTestContext test) {
    String session = "erase-me-session";
    bot().compose(id -> turn(id, session, "my secret is kumquat").compose(answer -> app.client
            .post("/api/chat/" + id + "/messages/" + answer.getString("message_id") + "/feedback")
            .sendJsonObject(new JsonObject().put("rating", "up").put("comment", "kumquat was right")))
        .compose(rated -> turn(id, "erase-keep-session", "keep this one"))
        .compose(r -> today(id))
        .compose(before -> erase(id, session).compose(erased -> {
          assertThat(erased.statusCode()).as(erased.bodyAsString()).isEqualTo(204);
          return today(id);
        }).map(after -> {
          assertThat(before.getLong("turns")).isEqualTo(2);
          assertThat(before.getLong("feedback_up")).isEqualTo(1);
          assertThat(after).isEqualTo(before);
          return after;
        }))
        .compose(v -> conversations(id))
        .compose(list -> {
          assertThat(list).extracting(c -> ((JsonObject) c).getString("session_id")).containsExactly("erase-keep-session");
          return app.client.get("/api/chat/" + id + "/session/" + session).send();
        })
        .compose(visitorView -> {
          assertThat(visitorView.bodyAsJsonObject().getJsonArray("messages")).isEmpty();
          return app.vertx.executeBlocking(() -> new long[] {
              app.count("SELECT COUNT(*) FROM messages WHERE content LIKE '%kumquat%' OR feedback_comment LIKE '%kumquat%'"),
              app.count("SELECT COUNT(*) FROM messages WHERE bot_id = '" + id + "'")});
        })
        .map(counts -> {
          assertThat(counts[0]).as("messages or feedback left with the erased text").isZero();
          assertThat(counts[1]).as("the other session's turn").isEqualTo(2);
          return counts;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void the_next_turn_of_an_erased_session_starts_with_no_history(VertxTestContext test) {
    String session = "erase-history-session";
    bot().compose(id -> turn(id, session, "remember the word pomelo")
        .compose(r -> turn(id, session, "and remember it well"))
        .compose(r -> erase(id, session))
        .compose(erased -> {
          assertThat(erased.statusCode()).isEqualTo(204);
          return turn(id, session, "what was the word?");
        })
        .map(r -> {
          JsonArray prompt = app.openai.requests().get(app.openai.requests().size() - 1).getJsonArray("messages");
          assertThat(prompt.encode()).doesNotContain("pomelo");
          assertThat(prompt).extracting(m -> ((JsonObject) m).getString("role")).containsExactly("system", "user");
          return r;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void an_unknown_session_or_bot_is_404_and_a_malformed_session_id_is_400(VertxTestContext test) {
    String session = "erase-twice-session";
    bot().compose(id -> turn(id, session, "hello")
        .compose(r -> erase(id, session))
        .compose(first -> {
          assertThat(first.statusCode()).isEqualTo(204);
          return erase(id, session);
        })
        .compose(second -> {
          assertThat(second.statusCode()).isEqualTo(404);
          assertThat(second.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
          return erase("bot_doesnotexist000000", "some-session-id");
        })
        .compose(unknownBot -> {
          assertThat(unknownBot.statusCode()).isEqualTo(404);
          return erase(id, "bad!");
        })
        .compose(malformed -> {
          assertThat(malformed.statusCode()).isEqualTo(400);
          return app.client.delete("/api/bots/" + id + "/sessions/" + session).send();
        })
        .map(anonymous -> {
          assertThat(anonymous.statusCode()).isEqualTo(401);
          return anonymous;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void another_bot_cannot_erase_a_session_it_does_not_own(VertxTestContext test) {
    String session = "erase-owned-session";
    Future.all(bot(), bot()).compose(bots -> {
      String owner = bots.resultAt(0);
      String other = bots.resultAt(1);
      return turn(owner, session, "mine").compose(r -> erase(other, session)).compose(refused -> {
        assertThat(refused.statusCode()).isEqualTo(404);
        return conversations(owner);
      }).map(list -> {
        assertThat(list).hasSize(1);
        return list;
      });
    }).onComplete(test.succeedingThenComplete());
  }
}
