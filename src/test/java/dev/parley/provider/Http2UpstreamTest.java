package dev.parley.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.SseEvents;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code provider.http2}: answers in flight share a few HTTP/2 connections to the model server (h2c here). */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class Http2UpstreamTest {

  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("provider", new JsonObject().put("http2", true));
  }

  @BeforeEach
  void reset() {
    app.openai.reset();
    app.anthropic.reset();
  }

  @Test
  void concurrent_streams_share_one_http2_connection(VertxTestContext test) {
    int streams = 40;
    app.openai.answerWith("one two three four five six");
    app.openai.chunkDelayMs(40); // keeps every stream open while the others start
    app.createBot(new JsonObject().put("name", "h2").put("api_key", "sk-test-h2-0123456789abcdef")).compose(bot -> {
      List<Future<SseEvents>> turns = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        turns.add(app.client.post("/api/chat/" + bot.getString("id")).putHeader("Accept", "text/event-stream")
            .sendJsonObject(new JsonObject().put("message", "hello " + i).put("session_id", "h2-session-" + i))
            .map(response -> SseEvents.parse(response.bodyAsString())));
      }
      return Future.all(turns).map(done -> {
        for (int i = 0; i < streams; i++) {
          SseEvents events = done.resultAt(i);
          assertThat(events.names()).startsWith("start").endsWith("done");
        }
        assertThat(app.openai.requestVersions()).hasSize(streams).containsOnly(HttpVersion.HTTP_2);
        assertThat(app.openai.connectionsSeen()).isEqualTo(1);
        return done;
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void json_turns_of_both_vendors_work_over_http2(VertxTestContext test) {
    Future.all(app.createBot(new JsonObject().put("name", "h2-openai").put("api_key", "sk-test-h2-0123456789abcdef")),
            app.createBot(new JsonObject().put("name", "h2-anthropic").put("provider", "anthropic")
                .put("model", "claude-3-5-haiku-latest").put("api_key", "sk-ant-test-0123456789abcdef")))
        .compose(bots -> Future.all(
            app.chat(((JsonObject) bots.resultAt(0)).getString("id"), new JsonObject().put("message", "ping")),
            app.chat(((JsonObject) bots.resultAt(1)).getString("id"), new JsonObject().put("message", "pong"))))
        .map(replies -> {
          for (int i = 0; i < 2; i++) {
            io.vertx.ext.web.client.HttpResponse<?> reply = replies.resultAt(i);
            assertThat(reply.statusCode()).isEqualTo(200);
          }
          assertThat(app.openai.requestVersions()).containsExactly(HttpVersion.HTTP_2);
          assertThat(app.anthropic.requestVersions()).containsExactly(HttpVersion.HTTP_2);
          return replies;
        }).onComplete(test.succeedingThenComplete());
  }
}
