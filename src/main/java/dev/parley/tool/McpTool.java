package dev.parley.tool;

import dev.parley.common.AddressGate;
import dev.parley.common.Hashes;
import dev.parley.common.SecretBox;
import dev.parley.common.ToolSchema;
import dev.parley.common.UrlSpelling;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * An {@code mcp} tool: a remote MCP server (Streamable HTTP) whose tools the model may call, spoken through the official
 * MCP Java SDK's async client over {@link McpHttpTransport} (the URL rules of HTTP tools; nothing blocks the event
 * loop). Each listing or call is one short session (initialize, the request, DELETE) within the tool's
 * {@code timeout_ms}; the secret headers are decrypted here, for that session only.
 *
 * <p>The listing ({@link #list}: {@code [{name, exposed_as, description, parameters, allowed}]}, at most
 * {@value #MAX_LISTED} tools, {@value #MAX_PAGES} pages) is cached per bot and tool (and URL and headers, so an edit
 * lists again) for {@code ttlMs}, at most {@value #MAX_CACHED} entries, least recently used first out; a refresh
 * replaces the entry. {@code exposed_as} is the name the model sees: {@code <tool name>__<server's tool name>}, with
 * characters outside {@code [a-zA-Z0-9_-]} replaced and a hash added when the name had to change or be shortened, so
 * names never collide and stay within 64 characters. A call ({@link #call}) checks that the server lists the tool,
 * that {@code allowed_tools} lets it through and that the arguments fit the listed input schema, then calls it; its
 * text content is the result, an {@code isError} result or a JSON-RPC error fails with the server's words.
 * Used from the verticle's event loop only.
 */
final class McpTool {

  static final int MAX_LISTED = 128;
  static final int MAX_PAGES = 10;
  static final int MAX_CACHED = 1_000;
  static final int MAX_ANSWER_BYTES = 1_048_576;
  private static final Pattern SAFE = Pattern.compile("[a-zA-Z0-9_-]+");
  private static final Logger LOG = LoggerFactory.getLogger(McpTool.class);

  private record Cached(Future<JsonArray> tools, long at) {
  }

  private final Vertx vertx;
  private final AddressGate gate;
  private final SecretBox secrets;
  private final long ttlMs;
  private final HttpClientAgent client;
  private Future<Void> loaded;
  private final Map<String, Cached> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
      return size() > MAX_CACHED;
    }
  };

  McpTool(Vertx vertx, AddressGate gate, SecretBox secrets, long ttlMs) {
    this.vertx = vertx;
    this.gate = gate;
    this.secrets = secrets;
    this.ttlMs = ttlMs;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setDecompressionSupported(true));
  }

  Future<Void> close() {
    return client.close();
  }

  /** The server's tools, from the cache unless {@code refresh} or older than the TTL; fails with a {@link ToolFailure}. */
  Future<JsonArray> list(String botId, JsonObject tool, boolean refresh) {
    String key = botId + "/" + tool.getString("name") + "/" + Hashes.sha256Hex(tool.getString("url") + "\n"
        + tool.getJsonObject("headers", new JsonObject()).encode() + "\n"
        + tool.getJsonObject("secret_headers", new JsonObject()).encode());
    Cached cached = cache.get(key);
    long now = System.currentTimeMillis();
    if (!refresh && cached != null && now - cached.at() < ttlMs) {
      return cached.tools().map(listed -> allowed(listed, tool));
    }
    Future<JsonArray> listing = session(botId, tool, mcp -> pages(mcp, null, new ArrayList<>(), 0))
        .map(found -> describe(tool.getString("name"), found));
    cache.put(key, new Cached(listing, now));
    listing.onFailure(failed -> {
      Cached current = cache.get(key);
      if (current != null && current.tools() == listing) {
        cache.remove(key);
      }
    });
    return listing.map(listed -> allowed(listed, tool));
  }

  /** Calls the server's tool {@code name} with {@code arguments}: its text content, or a {@link ToolFailure}. */
  Future<String> call(String botId, JsonObject tool, String name, JsonObject arguments) {
    return list(botId, tool, false).compose(listed -> {
      JsonObject found = null;
      for (Object item : listed) {
        if (item instanceof JsonObject entry && entry.getString("name").equals(name)) {
          found = entry;
        }
      }
      if (found == null || !found.getBoolean("allowed")) {
        return Future.failedFuture(new ToolFailure("tool_unavailable", found == null
            ? "The MCP server has no tool by that name" : "This assistant may not use that tool of the MCP server"));
      }
      String violation = ToolSchema.violation(found.getJsonObject("parameters"), arguments);
      if (violation != null) {
        return Future.failedFuture(new ToolFailure("invalid_arguments", "Invalid arguments: " + violation));
      }
      Map<String, Object> plain;
      try {
        plain = McpJson.INSTANCE.readValue(arguments.encode(), new io.modelcontextprotocol.json.TypeRef<>() { });
      } catch (java.io.IOException unreadable) {
        return Future.failedFuture(new ToolFailure("invalid_arguments", "The arguments must be a JSON object"));
      }
      return session(botId, tool, mcp -> mcp.callTool(new McpSchema.CallToolRequest(name, plain)))
          .compose(McpTool::text);
    });
  }

  private static Future<String> text(McpSchema.CallToolResult result) {
    StringBuilder text = new StringBuilder();
    for (McpSchema.Content content : result.content() == null ? List.<McpSchema.Content>of() : result.content()) {
      text.append(text.length() > 0 ? "\n" : "");
      text.append(content instanceof McpSchema.TextContent t ? t.text() : "[" + content.type() + " content]");
    }
    if (text.length() == 0 && result.structuredContent() != null) {
      text.append(io.vertx.core.json.Json.encode(result.structuredContent()));
    }
    if (Boolean.TRUE.equals(result.isError())) {
      return Future.failedFuture(new ToolFailure("tool_failed", "The tool failed: "
          + ToolFailure.shorten(text.toString(), 500)));
    }
    return Future.succeededFuture(text.toString());
  }

  private static Mono<List<McpSchema.Tool>> pages(McpAsyncClient mcp, String cursor, List<McpSchema.Tool> found, int page) {
    return mcp.listTools(cursor).flatMap(result -> {
      found.addAll(result.tools() == null ? List.of() : result.tools());
      if (result.nextCursor() == null || page + 1 >= MAX_PAGES || found.size() >= MAX_LISTED) {
        return Mono.just(found);
      }
      return pages(mcp, result.nextCursor(), found, page + 1);
    });
  }

  /** The listing as Parley keeps it: usable tools only, each with the name the model will see. */
  private static JsonArray describe(String prefix, List<McpSchema.Tool> found) {
    JsonArray listed = new JsonArray();
    for (McpSchema.Tool tool : found) {
      if (listed.size() >= MAX_LISTED || tool.name() == null || tool.name().isEmpty() || tool.name().length() > 128) {
        continue;
      }
      JsonObject schema;
      try {
        schema = tool.inputSchema() == null ? new JsonObject()
            : new JsonObject(McpJson.INSTANCE.writeValueAsString(tool.inputSchema()));
      } catch (java.io.IOException | RuntimeException unreadable) {
        continue;
      }
      schema.remove("$schema");
      schema.put("type", "object");
      if (schema.encode().length() > 16_000) {
        LOG.warn("MCP tool {} of {} skipped: its input schema is longer than 16000 characters", tool.name(), prefix);
        continue;
      }
      String description = tool.description() == null ? "" : ToolFailure.shorten(tool.description(), 2000);
      listed.add(new JsonObject().put("name", tool.name()).put("exposed_as", exposed(prefix, tool.name()))
          .put("description", description).put("parameters", schema));
    }
    return listed;
  }

  /** The listing with {@code allowed} set from the tool's {@code allowed_tools} (none given: all). */
  private static JsonArray allowed(JsonArray listed, JsonObject tool) {
    JsonArray only = tool.getJsonArray("allowed_tools");
    JsonArray result = new JsonArray();
    for (Object item : listed) {
      JsonObject entry = ((JsonObject) item).copy();
      result.add(entry.put("allowed", only == null || only.contains(entry.getString("name"))));
    }
    return result;
  }

  /** The name the model sees for the server's tool {@code name} of the bot's tool {@code prefix}. */
  static String exposed(String prefix, String name) {
    String plain = prefix + "__" + name;
    if (SAFE.matcher(name).matches() && plain.length() <= 64) {
      return plain;
    }
    String safe = name.replaceAll("[^a-zA-Z0-9_-]", "_");
    String hash = Hashes.sha256Hex(name).substring(0, 6);
    int room = 64 - prefix.length() - 2 - 7;
    return prefix + "__" + safe.substring(0, Math.min(safe.length(), room)) + "_" + hash;
  }

  /**
   * Loads the SDK, Reactor and the JSON mapper off the event loop, once, before the first session: their first use
   * costs hundreds of milliseconds of class loading.
   */
  private Future<Void> loaded() {
    if (loaded == null) {
      loaded = vertx.executeBlocking(() -> {
        String request = McpJson.INSTANCE.writeValueAsString(new McpSchema.JSONRPCRequest(McpSchema.JSONRPC_VERSION,
            McpSchema.METHOD_TOOLS_LIST, "warm", new McpSchema.PaginatedRequest(null)));
        McpSchema.deserializeJsonRpcMessage(McpJson.INSTANCE, request);
        Mono.just(request).then().block();
        return McpClient.class.getName() + McpAsyncClient.class.getName();
      }, false).<Void>mapEmpty().recover(failed -> Future.succeededFuture());
    }
    return loaded;
  }

  /** One session with the server: initialize, {@code work}, close; within the tool's timeout. */
  private <T> Future<T> session(String botId, JsonObject tool, Function<McpAsyncClient, Mono<T>> work) {
    return loaded().compose(ready -> open(botId, tool, work));
  }

  private <T> Future<T> open(String botId, JsonObject tool, Function<McpAsyncClient, Mono<T>> work) {
    long timeoutMs = tool.getLong("timeout_ms", 10_000L);
    Map<String, String> headers = new HashMap<>();
    URI endpoint;
    try {
      tool.getJsonObject("headers", new JsonObject()).forEach(h -> headers.put(h.getKey(), String.valueOf(h.getValue())));
      for (Map.Entry<String, Object> secret : tool.getJsonObject("secret_headers", new JsonObject())) {
        if (secret.getValue() instanceof JsonObject sealed) {
          headers.put(secret.getKey(), secrets.decrypt(sealed.getString("enc"), botId));
        }
      }
      endpoint = UrlSpelling.parse(tool.getString("url"));
    } catch (RuntimeException unreadable) {
      return Future.failedFuture(new ToolFailure("tool_misconfigured", "The MCP tool's URL or secret headers cannot be read"));
    }
    Context context = vertx.getOrCreateContext();
    McpHttpTransport transport = new McpHttpTransport(context, client, gate, endpoint, headers, MAX_ANSWER_BYTES);
    McpAsyncClient mcp = McpClient.async(transport).requestTimeout(Duration.ofMillis(timeoutMs))
        .initializationTimeout(Duration.ofMillis(timeoutMs))
        .clientInfo(new McpSchema.Implementation("parley", "1.0"))
        .jsonSchemaValidator(McpJson.NO_OUTPUT_CHECK).build();
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, t -> result.tryFail(new ToolFailure("timeout",
        "The MCP server did not answer within " + timeoutMs + " ms")));
    Mono<T> exchange = mcp.initialize().then(Mono.defer(() -> work.apply(mcp)));
    Future.fromCompletionStage(exchange.toFuture(), context).onComplete(done -> {
      if (done.succeeded()) {
        result.tryComplete(done.result());
      } else {
        result.tryFail(failure(done.cause(), timeoutMs));
      }
    });
    return result.future().andThen(ended -> {
      vertx.cancelTimer(timer);
      mcp.closeGracefully().subscribe(ignored -> { }, failed -> { });
    });
  }

  private static ToolFailure failure(Throwable cause, long timeoutMs) {
    Throwable failure = cause;
    while ((failure instanceof java.util.concurrent.CompletionException || failure.getClass().getName()
        .startsWith("reactor.core.Exceptions")) && failure.getCause() != null) {
      failure = failure.getCause();
    }
    for (Throwable inner = failure; inner != null; inner = inner.getCause()) {
      if (inner instanceof ToolFailure known) {
        return known;
      }
    }
    if (failure instanceof java.util.concurrent.TimeoutException) {
      return new ToolFailure("timeout", "The MCP server did not answer within " + timeoutMs + " ms");
    }
    if (failure instanceof McpError error) {
      return new ToolFailure("tool_failed", "The MCP server refused: " + ToolFailure.shorten(
          String.valueOf(error.getMessage()), 300));
    }
    return new ToolFailure("tool_failed", "The MCP server failed");
  }
}
