package dev.parley.bench;

import dev.parley.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What SQLite's {@code synchronous} setting costs a chat turn: a whole Parley against the fake
 * OpenAI server, JSON turns with memory on, at concurrency 1 and 64, for NORMAL and FULL.
 * Run with {@code bench/run StorageBench [seconds] [rounds]}: NORMAL and FULL alternate for {@code rounds}
 * rounds (default 2); the last round is the comparison. Prints numbers, asserts nothing.
 */
public final class StorageBench {

  private StorageBench() {
  }

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 10;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    // Alternating rounds: the first round also warms the JIT up, so compare the last one.
    for (int round = 1; round <= rounds; round++) {
    for (String synchronous : new String[] {"NORMAL", "FULL"}) {
      Path dir = Files.createTempDirectory("parley-bench");
      Vertx vertx = Vertx.vertx();
      try {
        TestApp app = TestApp.start(vertx, dir, new JsonObject()
            .put("database", new JsonObject().put("synchronous", synchronous))).await();
        String bot = app.createBot(new JsonObject().put("name", "bench").put("api_key", "sk-bench-key-000000")).await()
            .getString("id");
        String path = "/api/chat/" + bot;
        WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
            .setDefaultPort(app.port), new PoolOptions().setHttp1MaxSize(128));
        ChatLoad.run(client, path, 16, 3_000).await();
        for (int concurrency : new int[] {1, 64}) {
          ChatLoad.Result result = ChatLoad.run(client, path, concurrency, seconds * 1000).await();
          System.out.printf("round %d  synchronous=%-6s concurrency=%2d  %s%n", round, synchronous, concurrency, result);
        }
      } finally {
        vertx.close().await();
      }
    }
    }
  }
}
