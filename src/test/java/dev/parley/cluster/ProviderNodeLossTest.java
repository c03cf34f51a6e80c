package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.db.PostgresUrl;
import dev.parley.fake.FakeOpenAi;
import dev.parley.fake.Fault;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyProcesses;
import dev.parley.testing.SseEvents;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalogue #94 and #97: the node running the provider step is SIGKILLed while it answers. Three Parley
 * processes on PostgreSQL: an HTTP-only node and two workers (bot, memory, provider, rag), each worker calling
 * its own fake OpenAI server, whose answers stall (a streamed one after two deltas) so that turns stay in
 * flight. Once one worker holds a JSON turn and a streamed turn, it is killed: the JSON turn gets 503
 * {@code provider_node_lost} and the stream an {@code error} event marked retryable, both within 15 s of
 * the kill (three missed heartbeats, not the 180 s provider timeout); the user messages are stored once,
 * the streamed partial answer marked incomplete; and the same turns sent again are answered by the other
 * worker, with one stored answer each.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class ProviderNodeLossTest {

  /** Three heartbeats of 3 s missed, plus the time to store the failure, with room for a loaded machine. */
  private static final long LOST_WITHIN_MS = 15_000;
  private static final int MAX_TURNS = 6;

  @TempDir
  Path dir;

  private ParleyProcesses processes;

  /** A turn sent to the HTTP node: JSON or streamed, what it has received so far, and its outcome. */
  private static final class InFlight {
    final String session;
    final String message;
    final boolean stream;
    final StringBuffer received = new StringBuffer();
    Future<HttpResponse<Buffer>> json;
    Future<String> events;
    int worker = -1;

    InFlight(int n, boolean stream) {
      this((stream ? "stream" : "json") + "-session-" + n, "Which node answers turn " + n + "?", stream);
    }

    InFlight(String session, String message, boolean stream) {
      this.session = session;
      this.message = message;
      this.stream = stream;
    }

    int deltasReceived() {
      return received.toString().split("event: delta", -1).length - 1;
    }
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (processes != null) {
      processes.killAll("provider-node-loss-logs");
    }
  }

  @Test
  void a_worker_killed_mid_answer_fails_its_turns_within_seconds_and_the_retry_answers_from_the_other_worker(
      Vertx vertx, VertxTestContext test) throws Exception {
    processes = new ParleyProcesses(dir);
    String url = processes.postgresUrl();
    Path configFile = processes.configFile();
    int hazelcast = ParleyProcesses.hazelcastPort();
    String members = ParleyProcesses.members(hazelcast, 3);
    assertThat(TestApp.defaults().getJsonObject("timeouts").getLong("heartbeat_ms")).as("the default interval")
        .isEqualTo(3_000L);
    int port = TestApp.freePort();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    HttpClient streams = vertx.createHttpClient();
    List<FakeOpenAi> fakes = new ArrayList<>();
    List<Process> workers = new ArrayList<>();
    List<InFlight> turns = new ArrayList<>();

    Future.all(FakeOpenAi.start(vertx), FakeOpenAi.start(vertx)).compose(started -> {
      fakes.add(started.resultAt(0));
      fakes.add(started.resultAt(1));
      return vertx.executeBlocking(() -> {
        for (int i = 0; i < 2; i++) {
          workers.add(processes.launchClustered("worker-" + i, "bot,memory,provider,rag", hazelcast + i,
              TestApp.freePort(), members, url, configFile, fakes.get(i).baseUrl()));
        }
        return processes.launchClustered("http", "http", hazelcast + 2, port, members, url, configFile,
            fakes.get(0).baseUrl());
      });
    }).compose(http -> Future.all(processes.logged(vertx, "worker-0", "Parley is running", 150_000),
            processes.logged(vertx, "worker-1", "Parley is running", 150_000),
            ParleyProcesses.answering(vertx, client, 150_000)))
        .compose(up -> client.post("/api/bots").putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN)
            .sendJsonObject(new JsonObject().put("name", "clustered").put("api_key", "sk-node-loss-0000")
                .put("rag", new JsonObject().put("enabled", false))))
        .compose(created -> {
          assertThat(created.statusCode()).isEqualTo(201);
          String path = "/api/chat/" + created.bodyAsJsonObject().getString("id");
          // every answer stalls: a JSON one says nothing, a streamed one stops after two deltas
          for (FakeOpenAi fake : fakes) {
            for (int i = 0; i < MAX_TURNS; i++) {
              fake.enqueue(Fault.stallAfterChunks(2));
            }
          }
          return place(vertx, client, streams, port, path, fakes, turns).compose(victim -> {
            List<InFlight> lost = turns.stream().filter(turn -> turn.worker == victim).toList();
            // the streamed turns have had their two deltas
            return Await.until(vertx,
                () -> lost.stream().filter(turn -> turn.stream).allMatch(turn -> turn.deltasReceived() >= 2), 60_000)
                .compose(v -> {
                  workers.get(victim).destroyForcibly();
                  long killedAt = System.nanoTime();
                  return Future.all(lost.stream().map(turn -> outcome(turn, killedAt)).toList()).map(lost);
                })
                .compose(v -> vertx.executeBlocking(() -> {
                  for (InFlight turn : lost) {
                    List<JsonObject> stored = stored(url, turn.session);
                    if (turn.stream) {
                      assertThat(stored).as("the user message and the partial answer, incomplete").containsExactly(
                          row("user", turn.message, "complete", null),
                          row("assistant", deltaText(turn.received.toString()), "incomplete", "provider_node_lost"));
                    } else {
                      assertThat(stored).as("the user message, stored once with the failure").containsExactly(
                          row("user", turn.message, "complete", "provider_node_lost"));
                    }
                  }
                  return lost;
                }))
                .compose(v -> {
                  FakeOpenAi survivor = fakes.get(1 - victim);
                  survivor.reset();
                  // as a load balancer would check: ready twice in a row, so no request reaches the dead worker
                  return ParleyProcesses.answering(vertx, client, "/health/ready", 2, 60_000)
                      .compose(ready -> retry(vertx, client, streams, port, path, lost))
                      .compose(retried -> vertx.executeBlocking(() -> {
                        assertThat(survivor.requestCount()).as("the retries reached the surviving worker")
                            .isEqualTo(lost.size());
                        for (InFlight turn : lost) {
                          List<JsonObject> stored = stored(url, turn.session);
                          List<JsonObject> complete = stored.stream()
                              .filter(row -> row.getString("role").equals("assistant")
                                  && row.getString("status").equals("complete"))
                              .toList();
                          assertThat(complete).as("one stored answer, no duplicate").containsExactly(
                              row("assistant", "Echo: " + turn.message, "complete", null));
                          assertThat(stored.stream().filter(row -> row.getString("role").equals("user")).count())
                              .as("the failed try and the retry").isEqualTo(2);
                        }
                        return null;
                      }));
                });
          });
        })
        .onComplete(test.succeedingThenComplete());
  }

  /**
   * Sends turns (JSON, streamed, JSON, …) until one worker holds a JSON and a streamed turn; answers that
   * worker's index. Which worker holds a turn is told by which fake server got its model request.
   */
  private static Future<Integer> place(Vertx vertx, WebClient client, HttpClient streams, int port, String path,
      List<FakeOpenAi> fakes, List<InFlight> turns) {
    int n = turns.size();
    if (n >= MAX_TURNS) {
      return Future.failedFuture(new AssertionError("no worker got both a JSON and a streamed turn"));
    }
    InFlight turn = new InFlight(n, n % 2 == 1);
    turns.add(turn);
    send(client, streams, port, path, turn);
    // the turn has reached one of the fake model servers
    return Await.until(vertx, () -> {
      for (int i = 0; i < fakes.size(); i++) {
        for (JsonObject request : fakes.get(i).requests()) {
          if (request.encode().contains(turn.message)) {
            turn.worker = i;
            return true;
          }
        }
      }
      return false;
    }, 60_000).compose(v -> {
      for (int worker = 0; worker < fakes.size(); worker++) {
        int w = worker;
        if (turns.stream().anyMatch(t -> t.worker == w && t.stream)
            && turns.stream().anyMatch(t -> t.worker == w && !t.stream)) {
          return Future.succeededFuture(worker);
        }
      }
      return place(vertx, client, streams, port, path, fakes, turns);
    });
  }

  private static void send(WebClient client, HttpClient streams, int port, String path, InFlight turn) {
    JsonObject body = new JsonObject().put("message", turn.message).put("session_id", turn.session);
    if (!turn.stream) {
      turn.json = client.post(path).sendJsonObject(body);
      return;
    }
    turn.events = streams.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI(path).putHeader("Accept", "text/event-stream").putHeader("Content-Type", "application/json"))
        .compose(request -> request.send(body.toBuffer()))
        .compose(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          response.handler(chunk -> turn.received.append(chunk.toString()));
          return response.end();
        })
        .map(v -> turn.received.toString());
  }

  /**
   * The lost turn's outcome: 503 {@code provider_node_lost}, or a stream ending in a retryable error, soon
   * after the kill.
   */
  private static Future<Void> outcome(InFlight turn, long killedAt) {
    if (!turn.stream) {
      return turn.json.map(response -> {
        long afterKill = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code"))
            .isEqualTo("provider_node_lost");
        assertThat(afterKill).as("ms from the kill to the answer").isLessThan(LOST_WITHIN_MS);
        return null;
      });
    }
    return turn.events.map(body -> {
      long afterKill = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      SseEvents events = SseEvents.parse(body);
      assertThat(events.names()).containsExactly("start", "delta", "delta", "error");
      JsonObject error = events.data().get(3);
      assertThat(error.getString("code")).isEqualTo("provider_node_lost");
      assertThat(error.getBoolean("retryable")).isTrue();
      assertThat(afterKill).as("ms from the kill to the stream's end").isLessThan(LOST_WITHIN_MS);
      return null;
    });
  }

  /** The lost turns sent again, as a visitor would: each answered in full. */
  private static Future<Void> retry(Vertx vertx, WebClient client, HttpClient streams, int port, String path,
      List<InFlight> lost) {
    Future<Void> chain = Future.succeededFuture();
    for (InFlight turn : lost) {
      chain = chain.compose(v -> {
        InFlight retried = new InFlight(turn.session, turn.message, turn.stream);
        send(client, streams, port, path, retried);
        return retried.stream
            ? retried.events.map(body -> {
                SseEvents events = SseEvents.parse(body);
                assertThat(events.names()).first().isEqualTo("start");
                assertThat(events.names()).last().isEqualTo("done");
                assertThat(deltaText(body)).isEqualTo("Echo: " + turn.message);
                return null;
              })
            : retried.json.map(response -> {
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.bodyAsJsonObject().getString("response")).isEqualTo("Echo: " + turn.message);
                return null;
              });
      });
    }
    return chain;
  }

  private static String deltaText(String body) {
    SseEvents events = SseEvents.parse(body);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < events.names().size(); i++) {
      if (events.names().get(i).equals("delta")) {
        text.append(events.data().get(i).getString("text"));
      }
    }
    return text.toString();
  }

  /** The session's stored messages, oldest first, as {@code {role, content, status, error}}. */
  private static List<JsonObject> stored(String url, String session) throws Exception {
    List<JsonObject> rows = new ArrayList<>();
    try (var connection = PostgresUrl.parse(url).dataSource().getConnection();
         var query = connection.prepareStatement("SELECT m.role, m.content, m.status, m.error FROM messages m "
             + "JOIN conversations c ON c.id = m.conversation_id WHERE c.session_id = ? ORDER BY m.seq")) {
      query.setString(1, session);
      try (var result = query.executeQuery()) {
        while (result.next()) {
          rows.add(row(result.getString(1), result.getString(2), result.getString(3), result.getString(4)));
        }
      }
    }
    return rows;
  }

  private static JsonObject row(String role, String content, String status, String error) {
    return new JsonObject().put("role", role).put("content", content).put("status", status).put("error", error);
  }
}
