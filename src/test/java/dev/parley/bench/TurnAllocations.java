package dev.parley.bench;

import dev.parley.Main;
import dev.parley.testing.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes the JVM allocates per chat turn, through HTTP, in one process (Parley and its client, the offline
 * extractive provider, so no model server adds its own): {@code bench/run TurnAllocations [turns]}. The client's
 * share is the same for any version of Parley, so the difference between two versions is Parley's. Prints
 * numbers; asserts nothing.
 */
public final class TurnAllocations {

  private TurnAllocations() {
  }

  public static void main(String[] args) throws Exception {
    int turns = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Vertx vertx = Vertx.builder().with(Main.options()).build();
    Path dir = Files.createTempDirectory("parley-alloc");
    try {
      TestApp app = TestApp.start(vertx, dir, new JsonObject()).await();
      JsonObject bot = new JsonObject().put("name", "alloc").put("provider", "extractive")
          .put("rate_limit", TestApp.UNTHROTTLED.copy());
      String id = app.createBot(bot).await().getString("id");
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(app.port).setKeepAlive(true));
      for (String mode : new String[] {"json", "stream"}) {
        boolean stream = mode.equals("stream");
        ChatLoad.run(client, "/api/chat/" + id, 8, 5_000, stream).await();
        System.gc();
        long before = threads.getTotalThreadAllocatedBytes();
        long started = System.nanoTime();
        ChatLoad.Result result = ChatLoad.runTurns(client, "/api/chat/" + id, 8, turns, stream).await();
        long allocated = threads.getTotalThreadAllocatedBytes() - before;
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("%-6s turns %6d   errors %d   allocated %8.1f KB per turn   %7.0f turns/s (in process, c=8)%n",
            mode, result.turns(), result.errors(), allocated / 1024.0 / Math.max(1, result.turns()),
            result.turns() / seconds);
      }
    } finally {
      vertx.close().await();
    }
  }
}
