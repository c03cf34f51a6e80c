package dev.parley.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A turn whose knowledge-base search fails is still answered, without passages, and the failure is not
 * only a log line: it is stored with the visitor's message ({@code retrieval_error} in the logs) and counted
 * in {@code parley_retrieval_failures_total}. The node runs every role but {@code rag}, so the search of a
 * bot with retrieval on finds no consumer.
 */
@ParleyTest(measured = true)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class RetrievalFailuresTest {

  private static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("roles", new JsonArray().add("bot").add("memory").add("provider").add("http"));
  }

  @Test
  void a_failed_search_is_stored_with_the_turn_and_counted(VertxTestContext test) {
    Future<String> withRag = Turns.openAiBot(app, new JsonObject().put("rag", new JsonObject().put("enabled", true)));
    Future<String> withoutRag = Turns.openAiBot(app, new JsonObject());
    Future.all(withRag, withoutRag).compose(bots -> Turns.json(app, withRag.result(), "rag-down-json", "where is my order?")
        .compose(turn -> {
          assertThat(turn.status()).as("answered without passages").isEqualTo(200);
          assertThat(turn.body().getJsonArray("sources")).isEmpty();
          return Turns.stream(app, withRag.result(), "rag-down-stream", "and my invoice?");
        })
        .compose(turn -> {
          assertThat(turn.last()).isEqualTo("done");
          return Turns.json(app, withoutRag.result(), "no-rag-json", "hello");
        })
        .compose(turn -> Future.all(Turns.log(app, withRag.result(), "rag-down-json"),
            Turns.log(app, withRag.result(), "rag-down-stream"), Turns.log(app, withoutRag.result(), "no-rag-json")))
        .compose(logs -> {
          for (int i = 0; i < 2; i++) {
            JsonArray log = logs.resultAt(i);
            assertThat(log).hasSize(2);
            assertThat(log.getJsonObject(0).getString("retrieval_error")).isEqualTo("service_unavailable");
            assertThat(log.getJsonObject(0).getString("error")).isNull();
            assertThat(log.getJsonObject(1).getString("status")).isEqualTo("complete");
          }
          JsonArray untouched = logs.resultAt(2);
          assertThat(untouched.getJsonObject(0).getString("retrieval_error")).isNull();
          return Turns.session(app, withRag.result(), "rag-down-json");
        })
        .compose(session -> {
          assertThat(session.getJsonObject(0).containsKey("retrieval_error")).as("operators only").isFalse();
          return metrics("parley_retrieval_failures_total{bot=\"" + withRag.result() + "\",reason=\"unavailable\"} 2.0");
        })
        .map(metrics -> {
          assertThat(metrics).doesNotContain("parley_retrieval_failures_total{bot=\"" + withoutRag.result());
          return null;
        }))
        .onComplete(test.succeedingThenComplete());
  }

  /** The admin metrics once they contain {@code line} (turns are counted from an event, a moment after the answer). */
  private static Future<String> metrics(String line) {
    Promise<String> found = Promise.promise();
    poll(line, found, System.currentTimeMillis() + 10_000);
    return found.future();
  }

  private static void poll(String line, Promise<String> found, long deadline) {
    app.admin(HttpMethod.GET, "/metrics").send().onComplete(response -> {
      String text = response.succeeded() ? response.result().bodyAsString() : "";
      if (text.contains(line)) {
        found.complete(text);
      } else if (System.currentTimeMillis() > deadline) {
        found.fail(new AssertionError("/metrics never showed " + line + "; retrieval lines: "
            + text.lines().filter(l -> l.contains("retrieval")).toList()));
      } else {
        app.vertx.setTimer(100, t -> poll(line, found, deadline));
      }
    });
  }
}
