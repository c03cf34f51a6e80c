package dev.parley.fake;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model server on loopback (port 0) speaking a vendor's real wire format, for tests. It is
 * a verticle, so it runs on its own event loop: {@code start(vertx)} deploys it and
 * {@link #close()} undeploys it. Subclasses supply the vendor's bodies and events; this class
 * does the HTTP, the fault injection and the bookkeeping tests assert on.
 *
 * <p>Answers default to {@code "Echo: " + <the last user message>}. Streams split the answer
 * into word chunks that keep their leading spaces, one content delta per chunk. Usage is
 * deterministic: input tokens are the words of every request message (and the system prompt),
 * output tokens the words of the answer.
 */
public abstract class FakeModelServer extends VerticleBase {

  private static final Pattern WORD_CHUNK = Pattern.compile("\\s*\\S+\\s*$|\\s*\\S+");
  private static final Pattern WORD = Pattern.compile("\\S+");

  private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final List<JsonObject> requests = new CopyOnWriteArrayList<>();
  private final List<MultiMap> requestHeaders = new CopyOnWriteArrayList<>();
  private final List<HttpVersion> requestVersions = new CopyOnWriteArrayList<>();
  private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
  private final List<Promise<Long>> connectionsClosed = new CopyOnWriteArrayList<>();
  private volatile KeyCertOptions tls;
  private final AtomicInteger ids = new AtomicInteger();
  private volatile Function<JsonObject, String> responder = FakeModelServer::echo;
  private volatile Function<JsonObject, List<FakeToolCall>> toolResponder = body -> List.of();
  private volatile int argumentFragments = 3;
  private volatile long chunkDelayMs;
  private volatile HttpServer server;
  private volatile String deploymentId;

  /** Deploys a fake and completes once it listens. */
  protected static <T extends FakeModelServer> Future<T> deploy(Vertx vertx, T fake) {
    return vertx.deployVerticle(fake).map(id -> fake);
  }

  @Override
  public Future<?> start() {
    deploymentId = context.deploymentID();
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(tls);
    }
    return vertx.createHttpServer(options)
        .requestHandler(this::handle)
        .listen()
        .onSuccess(s -> server = s);
  }

  /** Serves HTTPS with this certificate (call before deploying); base URLs are then {@code https://127.0.0.1:port…}. */
  public void tls(KeyCertOptions keyCert) {
    this.tls = keyCert;
  }

  /**
   * Completes with {@link System#nanoTime()} when the connection that carried request number {@code index}
   * (0-based, as in {@link #requests()}) closes, whoever closed it.
   */
  public Future<Long> connectionClosed(int index) {
    return connectionsClosed.get(index).future();
  }

  /** The base URL to configure Parley with (the vendor SDK's convention). */
  public abstract String baseUrl();

  public int port() {
    return server.actualPort();
  }

  /** Answers each request with what the function returns for its body. */
  public void answer(Function<JsonObject, String> responder) {
    this.responder = Objects.requireNonNull(responder);
  }

  public void answerWith(String text) {
    answer(body -> text);
  }

  /**
   * Answers each request with the tool calls the function returns for its body (none: a plain answer), after the
   * text of {@link #answer}. A stream sends each call's arguments in {@link #argumentFragments} pieces.
   */
  public void answerToolCalls(Function<JsonObject, List<FakeToolCall>> calls) {
    this.toolResponder = Objects.requireNonNull(calls);
  }

  /** Asks for these tool calls, with no text, in every answer. */
  public void answerWithToolCalls(FakeToolCall... calls) {
    answerWith("");
    answerToolCalls(body -> List.of(calls));
  }

  /** Into how many pieces a stream cuts each tool call's arguments (default 3). */
  public void argumentFragments(int n) {
    this.argumentFragments = Math.max(1, n);
  }

  /** The pause between stream events (default 0). */
  public void chunkDelayMs(long ms) {
    this.chunkDelayMs = ms;
  }

  /** Queues a fault for a coming request; faults are consumed first in, first out, one per request. */
  public void enqueue(Fault fault) {
    faults.add(fault);
  }

  /** The request bodies received, in order (faulted ones included). */
  public List<JsonObject> requests() {
    return List.copyOf(requests);
  }

  /** The request headers received, in the same order as {@link #requests()}. */
  public List<MultiMap> requestHeaders() {
    return List.copyOf(requestHeaders);
  }

  /** The HTTP version of each request received, in the same order as {@link #requests()}. */
  public List<HttpVersion> requestVersions() {
    return List.copyOf(requestVersions);
  }

  /** How many connections requests came on since the last {@link #reset()}. */
  public int connectionsSeen() {
    return connections.size();
  }

  public int requestCount() {
    return requests.size();
  }

  /** Back to the defaults: echo answers, no delay, no queued faults, no recorded requests. */
  public void reset() {
    faults.clear();
    requests.clear();
    requestHeaders.clear();
    requestVersions.clear();
    connections.clear();
    connectionsClosed.clear();
    responder = FakeModelServer::echo;
    toolResponder = body -> List.of();
    argumentFragments = 3;
    chunkDelayMs = 0;
  }

  public Future<Void> close() {
    String id = deploymentId;
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }

  // ---- vendor specifics -------------------------------------------------------------------

  /** Serves a request for another endpoint of the vendor's API and answers true, or answers false (the default). */
  protected boolean otherEndpoint(HttpServerRequest request) {
    return false;
  }

  /** The path the vendor serves completions on. */
  protected abstract String path();

  /** A reason to refuse the request's credentials (status, vendor error body), or null. */
  protected abstract Rejection checkAuth(HttpServerRequest request);

  /** The API key the request carried, for {@link Fault#keyEcho()}. */
  protected abstract String receivedKey(HttpServerRequest request);

  /** The JSON answer: the text, and the tool calls when there are any. */
  protected abstract JsonObject completion(JsonObject request, String id, String answer, List<FakeToolCall> calls);

  /** Events before the first content delta; the first one is what a stalled stream sends. */
  protected abstract List<String> openingEvents(JsonObject request, String id);

  protected abstract String deltaEvent(JsonObject request, String id, String text);

  /** The events of the tool calls, after the text deltas, each call's arguments in {@code fragments} pieces. */
  protected abstract List<String> toolCallEvents(JsonObject request, String id, List<FakeToolCall> calls, int fragments);

  protected abstract List<String> closingEvents(JsonObject request, String id, String answer, List<FakeToolCall> calls);

  /** An event whose JSON is cut off. */
  protected abstract String malformedEvent();

  /** An error event sent in a 200 stream (an overload, in the vendor's format). */
  protected abstract String inBandErrorEvent();

  /** The vendor's error body for a status. */
  protected abstract JsonObject errorBody(int status, String message);

  /** The vendor's answer for an account out of credit. */
  protected abstract Rejection quotaExhausted();

  /** The vendor's answer for an organisation past its spend limit (the quota answer unless the vendor differs). */
  protected Rejection spendLimitReached() {
    return quotaExhausted();
  }

  /** The status the vendor answers a non-stream overload with. */
  protected abstract int overloadStatus();

  protected abstract String idPrefix();

  /** A refusal: a status and a body. */
  protected record Rejection(int status, JsonObject body) {
  }

  // ---- shared helpers for subclasses ------------------------------------------------------

  protected static String sse(String event, JsonObject data) {
    return (event == null ? "" : "event: " + event + "\n") + "data: " + data.encode() + "\n\n";
  }

  protected static long created() {
    return System.currentTimeMillis() / 1000;
  }

  /** Input tokens: the words of the system prompt and of every message. */
  public static int inputTokens(JsonObject request) {
    int words = words(request.getValue("system"));
    JsonArray messages = request.getJsonArray("messages", new JsonArray());
    for (int i = 0; i < messages.size(); i++) {
      words += words(messages.getJsonObject(i).getValue("content"));
    }
    return words;
  }

  /** Output tokens: the words of the answer and of each tool call's arguments. */
  public static int outputTokens(String answer, List<FakeToolCall> calls) {
    int words = words(answer);
    for (FakeToolCall call : calls) {
      words += words(call.arguments());
    }
    return words;
  }

  /**
   * How many tool results a request to either vendor carries (OpenAI's {@code role: tool} messages, Anthropic's
   * {@code tool_result} blocks): 0 on a turn's first step, so a script can ask for tools then and answer after.
   */
  public static int toolResults(JsonObject request) {
    int results = 0;
    for (Object item : request.getJsonArray("messages", new JsonArray())) {
      JsonObject message = (JsonObject) item;
      if ("tool".equals(message.getString("role"))) {
        results++;
      } else if (message.getValue("content") instanceof JsonArray blocks) {
        for (Object block : blocks) {
          if (block instanceof JsonObject b && "tool_result".equals(b.getString("type"))) {
            results++;
          }
        }
      }
    }
    return results;
  }

  /** The default answer: {@code "Echo: "} and the text of the last user message. */
  public static String echo(JsonObject request) {
    JsonArray messages = request.getJsonArray("messages", new JsonArray());
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonObject message = messages.getJsonObject(i);
      if ("user".equals(message.getString("role"))) {
        return "Echo: " + text(message.getValue("content"));
      }
    }
    return "Echo: ";
  }

  /** Splits into word chunks that keep their spaces: "a b c" → "a", " b", " c". */
  public static List<String> chunks(String answer) {
    List<String> out = new ArrayList<>();
    Matcher matcher = WORD_CHUNK.matcher(answer);
    while (matcher.find()) {
      out.add(matcher.group());
    }
    if (out.isEmpty() && !answer.isEmpty()) {
      out.add(answer);
    }
    return out;
  }

  private static String text(Object content) {
    if (content instanceof String s) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    if (content instanceof JsonArray parts) {
      for (int i = 0; i < parts.size(); i++) {
        Object part = parts.getValue(i);
        if (part instanceof JsonObject block && block.getString("text") != null) {
          sb.append(block.getString("text"));
        }
      }
    }
    return sb.toString();
  }

  private static int words(Object content) {
    if (content == null) {
      return 0;
    }
    Matcher matcher = WORD.matcher(text(content));
    int n = 0;
    while (matcher.find()) {
      n++;
    }
    return n;
  }

  // ---- HTTP -------------------------------------------------------------------------------

  private void handle(HttpServerRequest request) {
    if (otherEndpoint(request)) {
      return;
    }
    // any prefix before the vendor path is served too, so tests can give bots base URLs of their own
    if (request.method() != HttpMethod.POST || !request.path().endsWith(path())) {
      request.body().onComplete(ignored -> json(request.response(), 404, errorBody(404, "Not found: " + request.path())));
      return;
    }
    request.body().onSuccess(buffer -> {
      JsonObject body;
      try {
        body = buffer.toJsonObject();
      } catch (DecodeException e) {
        json(request.response(), 400, errorBody(400, "The request body is not valid JSON"));
        return;
      }
      Promise<Long> closed = Promise.promise();
      request.connection().closeHandler(v -> closed.tryComplete(System.nanoTime()));
      connectionsClosed.add(closed);
      requests.add(body);
      requestHeaders.add(HttpHeaders.headers().addAll(request.headers()));
      requestVersions.add(request.version());
      connections.add(request.connection());
      Fault fault = faults.poll();
      Rejection rejection = checkAuth(request);
      if (rejection != null) {
        json(request.response(), rejection.status(), rejection.body());
        return;
      }
      respond(request, body, fault);
    });
  }

  private void respond(HttpServerRequest request, JsonObject body, Fault fault) {
    boolean stream = body.getBoolean("stream", false);
    HttpServerResponse response = request.response();
    if (fault == null) {
      answer(request, body, stream, -1, End.END);
      return;
    }
    switch (fault.kind()) {
      case STATUS -> {
        if (fault.retryAfter() != null) {
          response.putHeader("retry-after", fault.retryAfter());
        }
        json(response, fault.statusCode(), errorBody(fault.statusCode(), message(fault.statusCode())));
      }
      case INSUFFICIENT_QUOTA -> {
        Rejection quota = quotaExhausted();
        json(response, quota.status(), quota.body());
      }
      case SPEND_LIMIT -> {
        Rejection limit = spendLimitReached();
        json(response, limit.status(), limit.body());
      }
      case ENDLESS -> endless(request, body, stream);
      case IN_BAND_ERROR_AFTER_CHUNKS -> {
        String id = nextId();
        List<String> frames = new ArrayList<>(openingEvents(body, id));
        List<String> words = chunks(responder.apply(body));
        for (int i = 0; i < Math.min(fault.chunks(), words.size()); i++) {
          frames.add(deltaEvent(body, id, words.get(i)));
        }
        frames.add(inBandErrorEvent());
        writeFrames(request, startStream(response), frames, 0, frames.size(), End.END);
      }
      case DELAY -> vertx.setTimer(Math.max(1, fault.delayMs()), t -> answer(request, body, stream, -1, End.END));
      case STALL -> {
        if (stream) {
          String id = nextId();
          startStream(response).write(openingEvents(body, id).get(0));
        }
      }
      case STALL_AFTER_CHUNKS, RESET_AFTER_CHUNKS -> {
        boolean reset = fault.kind() == Fault.Kind.RESET_AFTER_CHUNKS;
        if (stream) {
          answer(request, body, true, fault.chunks(), reset ? End.RESET : End.STALL);
        } else if (reset) {
          request.connection().close();
        }
      }
      case TRUNCATE_AFTER_CHUNKS -> answer(request, body, stream, stream ? fault.chunks() : -1, End.END);
      case MALFORMED_SSE -> {
        String page = "<html><head><title>502 Bad Gateway</title></head>\n<body>Bad Gateway</body></html>\n";
        if (stream) {
          startStream(response).end(page);
        } else {
          response.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "text/html").end(page);
        }
      }
      case MALFORMED_JSON -> {
        if (stream) {
          List<String> frames = new ArrayList<>(openingEvents(body, nextId()));
          frames.add(malformedEvent());
          writeFrames(request, startStream(response), frames, 0, frames.size(), End.END);
        } else {
          response.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end("{\"id\":\"" + nextId() + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assist");
        }
      }
      case IN_BAND_ERROR -> {
        if (stream) {
          startStream(response).end(inBandErrorEvent());
        } else {
          json(response, overloadStatus(), errorBody(overloadStatus(), message(overloadStatus())));
        }
      }
      case KEY_ECHO -> json(response, 401, errorBody(401,
          "Incorrect API key provided: " + receivedKey(request) + ". You can find your API key in your account settings."));
      default -> throw new IllegalStateException("Unknown fault " + fault);
    }
  }

  /** Answers normally; with {@code cutAfter >= 0} a stream stops after that many deltas, ending as {@code end} says. */
  private void answer(HttpServerRequest request, JsonObject body, boolean stream, int cutAfter, End cutEnd) {
    String answer = responder.apply(body);
    List<FakeToolCall> calls = toolResponder.apply(body);
    String id = nextId();
    if (!stream) {
      json(request.response(), 200, completion(body, id, answer, calls));
      return;
    }
    List<String> frames = new ArrayList<>(openingEvents(body, id));
    int firstDelta = frames.size();
    for (String chunk : chunks(answer)) {
      frames.add(deltaEvent(body, id, chunk));
    }
    if (!calls.isEmpty()) {
      frames.addAll(toolCallEvents(body, id, calls, argumentFragments));
    }
    frames.addAll(closingEvents(body, id, answer, calls));
    int stopAt = cutAfter < 0 ? frames.size() : Math.min(frames.size(), firstDelta + cutAfter);
    End end = cutAfter < 0 ? End.END : cutEnd;
    writeFrames(request, startStream(request.response()), frames, 0, stopAt, end);
  }

  private enum End { END, STALL, RESET }

  /** Writes forever, each write once the previous one went out, until the connection closes. */
  private void endless(HttpServerRequest request, JsonObject body, boolean stream) {
    HttpServerResponse response = request.response();
    String id = nextId();
    if (stream) {
      startStream(response);
      response.write(String.join("", openingEvents(body, id)));
      // one delta per write when paced, else batches that keep the socket full
      Buffer batch = Buffer.buffer();
      for (int i = 0; i < (chunkDelayMs > 0 ? 1 : 64); i++) {
        batch.appendString(deltaEvent(body, id, "more "));
      }
      keepWriting(response, batch);
    } else {
      response.setStatusCode(200).setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      response.write("{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":\"");
      keepWriting(response, Buffer.buffer("more ".repeat(4096)));
    }
  }

  private void keepWriting(HttpServerResponse response, Buffer batch) {
    if (response.closed() || response.ended()) {
      return;
    }
    response.write(batch).onSuccess(v -> {
      long delay = chunkDelayMs;
      if (delay > 0) {
        vertx.setTimer(delay, t -> keepWriting(response, batch));
      } else {
        keepWriting(response, batch);
      }
    });
  }

  private void writeFrames(HttpServerRequest request, HttpServerResponse response, List<String> frames, int index,
      int stopAt, End end) {
    if (index >= stopAt) {
      switch (end) {
        case END -> response.end();
        case RESET -> request.connection().close();
        case STALL -> {
          // keep the connection open and silent
        }
      }
      return;
    }
    response.write(frames.get(index)).onSuccess(v -> {
      long delay = chunkDelayMs;
      if (delay > 0 && index + 1 < stopAt) {
        vertx.setTimer(delay, t -> writeFrames(request, response, frames, index + 1, stopAt, end));
      } else {
        writeFrames(request, response, frames, index + 1, stopAt, end);
      }
    });
  }

  private static HttpServerResponse startStream(HttpServerResponse response) {
    return response.setStatusCode(200).setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
  }

  private static void json(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(Buffer.buffer(body.encode()));
  }

  private String nextId() {
    return idPrefix() + ids.incrementAndGet();
  }

  private static String message(int status) {
    return switch (status) {
      case 400 -> "Invalid request";
      case 401 -> "Invalid API key";
      case 403 -> "Permission denied";
      case 404 -> "Model not found";
      case 429 -> "Rate limit reached. Please try again later.";
      case 503 -> "The server is overloaded. Please try again later.";
      case 529 -> "Overloaded";
      default -> "The server had an error while processing your request.";
    };
  }
}
