package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApps;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.sql.DriverManager;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@ParleyTest(perTest = true)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class GracefulShutdownTest {

  @Test
  void a_stream_in_flight_finishes_and_is_stored_while_new_connections_are_refused(Vertx vertx, TestApps apps,
      VertxTestContext test) {
    String answer = "one two three four five six seven eight nine ten eleven twelve";
    apps.start().compose(app -> {
      app.openai.answerWith(answer);
      app.openai.chunkDelayMs(80);
      return app.createBot(new JsonObject().put("name", "Draining").put("api_key", "sk-drain-test-0000")).compose(bot -> {
        Promise<String> streamed = Promise.promise();
        Buffer body = Buffer.buffer();
        vertx.createHttpClient().request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
                .setPort(app.port).setURI("/api/chat/" + bot.getString("id")))
            .compose(request -> request.putHeader("Content-Type", "application/json").putHeader("Accept", "text/event-stream")
                .send(new JsonObject().put("message", "count").put("session_id", "draining-session").encode()))
            .onSuccess(response -> {
              response.handler(chunk -> {
                boolean first = body.length() == 0 || !body.toString().contains("event: delta");
                body.appendBuffer(chunk);
                if (first && chunk.toString().contains("event: delta")) {
                  Shutdown.drainHttp(vertx);
                }
              });
              response.endHandler(v -> streamed.complete(body.toString()));
              response.exceptionHandler(streamed::tryFail);
            })
            .onFailure(streamed::tryFail);
        return streamed.future().compose(text -> {
          assertThat(text).contains("event: done");
          return app.client.get("/health/live").send().transform(after -> {
            assertThat(after.failed()).as("new connections after the drain are refused").isTrue();
            return vertx.executeBlocking(() -> {
              try (var connection = DriverManager.getConnection("jdbc:sqlite:" + app.dataDir.resolve("parley.db"));
                   var rows = connection.createStatement().executeQuery(
                       "SELECT content, status FROM messages WHERE role = 'assistant'")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo(answer);
                assertThat(rows.getString(2)).isEqualTo("complete");
              }
              return null;
            });
          });
        });
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void while_the_shutdown_delay_runs_readiness_fails_and_each_response_closes_its_connection(Vertx vertx,
      TestApps apps, VertxTestContext test) {
    apps.start(new JsonObject().put("http", new JsonObject().put("shutdown_delay_ms", 3_000)))
        .compose(app -> app.client.get("/health/ready").send().compose(before -> {
          assertThat(before.statusCode()).isEqualTo(200);
          Shutdown.drainHttp(vertx);
          return vertx.timer(300).compose(t -> app.client.get("/health/ready").send());
        }).compose(during -> {
          assertThat(during.statusCode()).as("readiness while the node drains").isEqualTo(503);
          JsonObject accepting = during.bodyAsJsonObject().getJsonArray("checks").stream()
              .map(JsonObject.class::cast).filter(check -> "accepting".equals(check.getString("id")))
              .findFirst().orElseThrow();
          assertThat(accepting.getString("status")).isEqualTo("DOWN");
          assertThat(during.getHeader("Connection")).isEqualToIgnoringCase("close");
          return app.client.get("/health/live").send();
        }).map(live -> {
          assertThat(live.statusCode()).as("still serving during the delay").isEqualTo(200);
          return null;
        }))
        .onComplete(test.succeedingThenComplete());
  }
}
