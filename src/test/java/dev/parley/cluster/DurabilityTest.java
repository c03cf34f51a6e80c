package dev.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeOpenAi;
import dev.parley.testing.ParleyProcesses;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.File;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parley as its own process under chat load, killed with SIGKILL: every turn a client saw
 * acknowledged is in the database afterwards, and the database opens cleanly.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class DurabilityTest {

  private static final int CLIENTS = 16;
  private static final int KILL_AFTER_TURNS = 100;

  @TempDir
  Path dataDir;

  private ParleyProcesses processes;
  private Process parley;

  @AfterEach
  void kill() throws Exception {
    if (processes != null) {
      processes.killAll("durability-logs");
    }
  }

  @Test
  void acknowledged_turns_survive_a_sigkill(Vertx vertx, VertxTestContext test) {
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    processes = new ParleyProcesses(dataDir);
    FakeOpenAi.start(vertx).compose(openai -> {
      int port = TestApp.freePort();
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
          new PoolOptions().setHttp1MaxSize(CLIENTS));
      return vertx.executeBlocking(() -> parley = launch(port, openai.baseUrl()))
          .compose(p -> waitUntilUp(vertx, client))
          .compose(v -> client.post("/api/bots").putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN)
              .sendJsonObject(new JsonObject().put("name", "durable").put("api_key", "sk-durability-0000")
                  .put("rate_limit", TestApp.UNTHROTTLED.copy())))
          .compose(created -> {
            String path = "/api/chat/" + created.bodyAsJsonObject().getString("id");
            List<Future<Void>> loops = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
              Promise<Void> done = Promise.promise();
              chatUntilRefused(client, path, "durable-session-" + i, acknowledged, done);
              loops.add(done.future());
            }
            // Killed mid-load: once enough turns were acknowledged, or after 20 s on a very slow machine.
            long started = System.currentTimeMillis();
            vertx.setPeriodic(50, timer -> {
              if (acknowledged.size() >= KILL_AFTER_TURNS || System.currentTimeMillis() - started > 20_000) {
                vertx.cancelTimer(timer);
                parley.destroyForcibly();
              }
            });
            return Future.join(loops);
          })
          .compose(v -> vertx.executeBlocking(() -> {
            assertThat(parley.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(acknowledged).hasSizeGreaterThan(20);
            try (var connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("parley.db"))) {
              var check = connection.createStatement().executeQuery("PRAGMA integrity_check");
              check.next();
              assertThat(check.getString(1)).isEqualTo("ok");
              Set<String> stored = new HashSet<>();
              var rows = connection.createStatement().executeQuery("SELECT id FROM messages WHERE role = 'assistant'");
              while (rows.next()) {
                stored.add(rows.getString(1));
              }
              assertThat(stored).containsAll(acknowledged);
            }
            parley = launch(port, openai.baseUrl());
            return null;
          }))
          .compose(v -> waitUntilUp(vertx, client));
    }).onComplete(test.succeedingThenComplete());
  }

  private Process launch(int port, String openaiBaseUrl) throws Exception {
    return processes.launch("parley", Map.of(
        "PARLEY_PORT", String.valueOf(port),
        "PARLEY_HOST", "127.0.0.1",
        "PARLEY_DATA_DIR", dataDir.toString(),
        "OPENAI_BASE_URL", openaiBaseUrl,
        "PARLEY_CONFIG", new File("conf/config.json").getAbsolutePath()));
  }

  private static Future<Void> waitUntilUp(Vertx vertx, WebClient client) {
    return ParleyProcesses.answering(vertx, client, 30_000);
  }

  /** Sends turns one after another until the server is gone; collects the acknowledged ids. */
  private static void chatUntilRefused(WebClient client, String path, String session, Set<String> acknowledged,
      Promise<Void> done) {
    client.post(path).sendJsonObject(new JsonObject().put("message", "keep this").put("session_id", session))
        .onComplete(result -> {
          if (result.succeeded() && result.result().statusCode() == 200) {
            acknowledged.add(result.result().bodyAsJsonObject().getString("message_id"));
            chatUntilRefused(client, path, session, acknowledged, done);
          } else {
            done.complete();
          }
        });
  }
}
