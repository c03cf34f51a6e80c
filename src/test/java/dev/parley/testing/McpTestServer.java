package dev.parley.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real MCP server written with the official TypeScript SDK ({@code src/test/node/mcp-server/server.mjs}, installed
 * by {@code .ci/run} with {@code npm ci}), run with node on 127.0.0.1 and a free port, so Parley's MCP client is
 * checked against an implementation it did not write. Its tools: {@code order_status {order_id}} (answers
 * "Order <id>: shipped on Monday, arriving Thursday."), {@code cancel_order {order_id}} (always fails) and
 * {@code slow_report {}} (answers after {@code slowMs}). Every request must carry {@code Authorization: Bearer
 * <token>} (401 otherwise), so a successful listing shows the secret header arrived. {@link #start} waits for the
 * server to listen; {@link #close} kills it (also done when the JVM exits).
 */
public final class McpTestServer implements AutoCloseable {

  static final Path DIR = Path.of("src/test/node/mcp-server");

  private final Process process;
  private final int port;

  private McpTestServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the server (blocking: call it off the event loop) and waits up to 30 s for it to listen. */
  public static McpTestServer start(String token, long slowMs) {
    if (!Files.isDirectory(DIR.resolve("node_modules/@modelcontextprotocol/sdk"))) {
      throw new IllegalStateException("The test MCP server is not installed: run npm ci --prefix " + DIR
          + " (.ci/run does)");
    }
    ProcessBuilder builder = new ProcessBuilder("node", "server.mjs", "0").directory(DIR.toFile())
        .redirectErrorStream(true);
    builder.environment().put("MCP_TOKEN", token);
    builder.environment().put("MCP_SLOW_MS", String.valueOf(slowMs));
    Process process;
    try {
      process = builder.start();
    } catch (IOException noNode) {
      throw new IllegalStateException("node could not be started (is Node.js installed?)", noNode);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    CompletableFuture<Integer> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          if (line.startsWith("listening ")) {
            listening.complete(Integer.parseInt(line.substring(10).strip()));
          }
        }
      } catch (IOException | RuntimeException ended) {
        listening.completeExceptionally(ended);
      }
      listening.completeExceptionally(new IllegalStateException("The test MCP server exited"));
    }, "mcp-test-server-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new McpTestServer(process, listening.get(30, TimeUnit.SECONDS));
    } catch (Exception failed) {
      process.destroyForcibly();
      throw new IllegalStateException("The test MCP server did not start", failed);
    }
  }

  /** The server's Streamable HTTP endpoint. */
  public String url() {
    return "http://127.0.0.1:" + port + "/mcp";
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException interrupted) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
