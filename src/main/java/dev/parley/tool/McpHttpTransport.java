package dev.parley.tool;

import dev.parley.common.AddressGate;
import dev.parley.common.ParleyException;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.ProtocolVersions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The MCP SDK's client transport for Streamable HTTP, spoken with Vert.x's HTTP client so that an MCP server is
 * reached under the same URL rules as an HTTP tool: the host is checked and resolved once by the {@link AddressGate}
 * and every request of the session connects to that checked address; redirects are not followed; an answer larger
 * than {@code maxBytes} is cut off and fails. Each JSON-RPC message is one POST (Accept: JSON or an event stream);
 * the answer, a JSON message (or batch) or an SSE stream the server ends after its responses, is handed to the SDK's
 * session. The {@code Mcp-Session-Id} and negotiated {@code MCP-Protocol-Version} go back on every later request;
 * closing resets what is in flight and ends the session with a DELETE. No failure message names a header.
 */
final class McpHttpTransport implements McpClientTransport {

  private static final List<String> VERSIONS = List.of(ProtocolVersions.MCP_2024_11_05, ProtocolVersions.MCP_2025_03_26,
      ProtocolVersions.MCP_2025_06_18, ProtocolVersions.MCP_2025_11_25);

  private final Context context;
  private final HttpClientAgent client;
  private final AddressGate gate;
  private final URI endpoint;
  private final Map<String, String> headers;
  private final int maxBytes;
  private final Set<HttpClientRequest> open = ConcurrentHashMap.newKeySet();
  private volatile Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler;
  private volatile String sessionId;
  private volatile String protocolVersion;
  private volatile boolean closed;
  private Future<InetAddress> address;

  McpHttpTransport(Context context, HttpClientAgent client, AddressGate gate, URI endpoint, Map<String, String> headers,
      int maxBytes) {
    this.context = context;
    this.client = client;
    this.gate = gate;
    this.endpoint = endpoint;
    this.headers = headers;
    this.maxBytes = maxBytes;
  }

  @Override
  public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
    this.handler = handler;
    return Mono.empty();
  }

  @Override
  public List<String> protocolVersions() {
    return VERSIONS;
  }

  @Override
  public Mono<Void> sendMessage(JSONRPCMessage message) {
    return Mono.defer(() -> {
      String body;
      try {
        body = McpJson.INSTANCE.writeValueAsString(message);
      } catch (IOException unwritable) {
        return Mono.error(new ToolFailure("invalid_arguments", "The arguments cannot be sent as JSON"));
      }
      Promise<Void> sent = Promise.promise();
      context.runOnContext(v -> post(body).onComplete(sent));
      return Mono.fromCompletionStage(sent.future().toCompletionStage());
    });
  }

  @Override
  public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
    return McpJson.INSTANCE.convertValue(data, type);
  }

  @Override
  public Mono<Void> closeGracefully() {
    return Mono.fromRunnable(() -> context.runOnContext(v -> {
      closed = true;
      for (HttpClientRequest request : open) {
        request.reset();
      }
      open.clear();
      String session = sessionId;
      if (session != null && address != null && address.succeeded()) {
        try {
          client.request(request(HttpMethod.DELETE, address.result()).putHeader("Mcp-Session-Id", session)
              .setIdleTimeout(2_000)).compose(HttpClientRequest::send).compose(HttpClientResponse::body);
        } catch (IllegalStateException clientClosed) {
          // the node is stopping: the server ends the session itself
        }
      }
    }));
  }

  /** The checked address, resolved once per session (the first request), so every request goes where was checked. */
  private Future<InetAddress> address() {
    if (address == null) {
      address = gate.check(endpoint).recover(refused -> Future.failedFuture(refused instanceof ParleyException known
          ? new ToolFailure("url_not_allowed", known.getMessage())
          : new ToolFailure("tool_unreachable", "The MCP server's address cannot be reached")));
    }
    return address;
  }

  private RequestOptions request(HttpMethod method, InetAddress to) {
    int port = AddressGate.port(endpoint);
    String path = (endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath())
        + (endpoint.getRawQuery() == null ? "" : "?" + endpoint.getRawQuery());
    RequestOptions options = new RequestOptions().setMethod(method)
        .setServer(SocketAddress.inetSocketAddress(port, to.getHostAddress()))
        .setHost(endpoint.getHost()).setPort(port).setURI(path).setSsl("https".equalsIgnoreCase(endpoint.getScheme()))
        .setFollowRedirects(false).putHeader("User-Agent", "Parley-MCP/1.0");
    headers.forEach(options::putHeader);
    if (protocolVersion != null) {
      options.putHeader("MCP-Protocol-Version", protocolVersion);
    }
    return options;
  }

  private Future<Void> post(String body) {
    if (closed) {
      return Future.failedFuture(new ToolFailure("tool_failed", "The MCP session was closed"));
    }
    return address().compose(to -> {
      RequestOptions options = request(HttpMethod.POST, to).putHeader("Content-Type", "application/json")
          .putHeader("Accept", "application/json, text/event-stream");
      if (sessionId != null) {
        options.putHeader("Mcp-Session-Id", sessionId);
      }
      return client.request(options).compose(request -> {
        open.add(request);
        return request.send(Buffer.buffer(body, "UTF-8")).compose(this::read).andThen(done -> open.remove(request));
      }, unreachable -> Future.failedFuture(new ToolFailure("tool_unreachable", "The MCP server could not be reached")));
    });
  }

  private Future<Void> read(HttpClientResponse response) {
    int status = response.statusCode();
    String session = response.getHeader("Mcp-Session-Id");
    if (session != null && !session.isBlank() && session.length() <= 256) {
      sessionId = session;
    }
    String type = String.valueOf(response.getHeader("Content-Type")).toLowerCase(java.util.Locale.ROOT);
    return ResponseBody.read(response, maxBytes, "MCP server").compose(text -> {
      if (status < 200 || status >= 300) {
        return Future.failedFuture(new ToolFailure("tool_failed", "The MCP server answered HTTP " + status));
      }
      try {
        for (String json : type.startsWith("text/event-stream") ? events(text) : batch(text)) {
          deliver(McpSchema.deserializeJsonRpcMessage(McpJson.INSTANCE, json));
        }
        return Future.succeededFuture();
      } catch (IOException | RuntimeException unreadable) {
        return Future.failedFuture(new ToolFailure("tool_failed", "The MCP server's answer is not valid MCP"));
      }
    });
  }

  /** A JSON answer: one message, or a batch (a list) of them; an empty body (202 Accepted) is none. */
  private static List<String> batch(String text) {
    String body = text.strip();
    if (body.isEmpty()) {
      return List.of();
    }
    if (!body.startsWith("[")) {
      return List.of(body);
    }
    List<String> messages = new ArrayList<>();
    for (Object item : new io.vertx.core.json.JsonArray(body)) {
      messages.add(io.vertx.core.json.Json.encode(item));
    }
    return messages;
  }

  /** The data of each {@code message} event (the default event) of an SSE stream. */
  static List<String> events(String stream) {
    List<String> messages = new ArrayList<>();
    StringBuilder data = new StringBuilder();
    String event = null;
    for (String line : (stream + "\n\n").split("\r\n|\r|\n", -1)) {
      if (line.isEmpty()) {
        if (data.length() > 0 && (event == null || event.equals("message"))) {
          messages.add(data.toString());
        }
        data.setLength(0);
        event = null;
      } else if (line.startsWith("data:")) {
        data.append(data.length() > 0 ? "\n" : "").append(line.substring(line.startsWith("data: ") ? 6 : 5));
      } else if (line.startsWith("event:")) {
        event = line.substring(6).strip();
      }
    }
    return messages;
  }

  private void deliver(JSONRPCMessage message) {
    if (message instanceof McpSchema.JSONRPCResponse response && response.result() instanceof Map<?, ?> result
        && result.get("protocolVersion") instanceof String version && result.containsKey("serverInfo")) {
      protocolVersion = version;
    }
    Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> session = handler;
    if (session != null) {
      session.apply(Mono.just(message)).subscribe(ignored -> { }, failed -> { });
    }
  }
}
