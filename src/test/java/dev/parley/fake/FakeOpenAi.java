package dev.parley.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake OpenAI Chat Completions server: {@code POST /v1/chat/completions} with Bearer auth,
 * JSON answers and {@code text/event-stream} chunks ending in {@code data: [DONE]}, a usage
 * chunk when {@code stream_options.include_usage} is true, and errors shaped
 * {@code {"error":{"message","type","param","code"}}}. Scripted tool calls ({@link #answerToolCalls}) come as
 * {@code message.tool_calls} with {@code finish_reason: "tool_calls"}, or streamed as interleaved
 * {@code delta.tool_calls} fragments ({@link #toolCallEvents}). Give Parley {@link #baseUrl()}, which
 * ends in {@code /v1} like the SDKs' default. {@link #reportUsage(boolean) reportUsage(false)} makes it a
 * compatible server that counts nothing: no {@code usage} in answers, no usage chunk even when asked.
 *
 * <p>It also serves {@code POST /v1/embeddings}: {@code {model, input: string or [strings], dimensions?}}
 * → {@code {"object":"list","data":[{"object":"embedding","index":i,"embedding":[…]}],"model","usage"}}, with
 * deterministic vectors from {@link #embedding(String, int)} (a hashed bag of words, so texts sharing words
 * are near) and its own fault queue ({@link #enqueueEmbeddings(Fault)}).
 */
public final class FakeOpenAi extends FakeModelServer {

  public static Future<FakeOpenAi> start(Vertx vertx) {
    return deploy(vertx, new FakeOpenAi());
  }

  @Override
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  @Override
  protected String path() {
    return "/v1/chat/completions";
  }

  @Override
  protected String idPrefix() {
    return "chatcmpl-fake";
  }

  @Override
  protected Rejection checkAuth(HttpServerRequest request) {
    String auth = request.getHeader("authorization");
    if (auth == null || !auth.startsWith("Bearer ") || auth.length() <= "Bearer ".length()) {
      return new Rejection(401, error("You didn't provide an API key.", "invalid_request_error", null));
    }
    return null;
  }

  @Override
  protected String receivedKey(HttpServerRequest request) {
    String auth = request.getHeader("authorization");
    return auth == null ? "" : auth.replaceFirst("^Bearer ", "");
  }

  @Override
  protected JsonObject completion(JsonObject request, String id, String answer, List<FakeToolCall> calls) {
    JsonObject message = new JsonObject().put("role", "assistant").put("content", answer).putNull("refusal");
    if (!calls.isEmpty()) {
      JsonArray toolCalls = new JsonArray();
      calls.forEach(call -> toolCalls.add(new JsonObject().put("id", call.id()).put("type", "function")
          .put("function", new JsonObject().put("name", call.name()).put("arguments", call.arguments()))));
      message.put("content", answer.isEmpty() ? null : answer).put("tool_calls", toolCalls);
    }
    return new JsonObject()
        .put("id", id)
        .put("object", "chat.completion")
        .put("created", created())
        .put("model", request.getString("model"))
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0)
            .put("message", message)
            .putNull("logprobs")
            .put("finish_reason", calls.isEmpty() ? "stop" : "tool_calls")))
        .put("usage", reportsUsage ? usage(request, answer, calls) : null)
        .putNull("system_fingerprint");
  }

  private volatile boolean reportsUsage = true;

  /** Whether answers report usage (true by default; {@link #reset()} restores it). */
  public void reportUsage(boolean reports) {
    this.reportsUsage = reports;
  }

  @Override
  protected List<String> openingEvents(JsonObject request, String id) {
    return List.of(data(chunk(request, id, new JsonObject().put("role", "assistant").put("content", ""), null)));
  }

  @Override
  protected String deltaEvent(JsonObject request, String id, String text) {
    return data(chunk(request, id, new JsonObject().put("content", text), null));
  }

  /**
   * Interleaved as a model calling tools in parallel may send them: round by round, each call's next piece, its
   * first piece carrying its id and name ({@code delta.tool_calls:[{index, id?, type?, function:{name?, arguments}}]}).
   */
  @Override
  protected List<String> toolCallEvents(JsonObject request, String id, List<FakeToolCall> calls, int fragments) {
    List<String> events = new ArrayList<>();
    List<List<String>> pieces = new ArrayList<>();
    int rounds = 0;
    for (FakeToolCall call : calls) {
      pieces.add(call.fragments(fragments));
      rounds = Math.max(rounds, pieces.get(pieces.size() - 1).size());
    }
    for (int round = 0; round < rounds; round++) {
      for (int index = 0; index < calls.size(); index++) {
        if (round >= pieces.get(index).size()) {
          continue;
        }
        JsonObject function = new JsonObject().put("arguments", pieces.get(index).get(round));
        JsonObject call = new JsonObject().put("index", index);
        if (round == 0) {
          call.put("id", calls.get(index).id()).put("type", "function");
          function = new JsonObject().put("name", calls.get(index).name()).put("arguments", function.getString("arguments"));
        }
        events.add(data(chunk(request, id, new JsonObject().put("tool_calls", new JsonArray().add(call.put("function", function))),
            null)));
      }
    }
    return events;
  }

  @Override
  protected List<String> closingEvents(JsonObject request, String id, String answer, List<FakeToolCall> calls) {
    List<String> events = new ArrayList<>();
    events.add(data(chunk(request, id, new JsonObject(), calls.isEmpty() ? "stop" : "tool_calls")));
    if (includeUsage(request) && reportsUsage) {
      events.add(data(base(request, id).put("choices", new JsonArray()).put("usage", usage(request, answer, calls))));
    }
    events.add("data: [DONE]\n\n");
    return events;
  }

  @Override
  protected String malformedEvent() {
    return "data: {\"id\":\"chatcmpl-broken\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"cont\n\n";
  }

  @Override
  protected String inBandErrorEvent() {
    return data(error("The server is overloaded. Please try again later.", "server_error", null));
  }

  @Override
  protected JsonObject errorBody(int status, String message) {
    return switch (status) {
      case 401 -> error(message, "invalid_request_error", "invalid_api_key");
      case 404 -> error(message, "invalid_request_error", "model_not_found");
      case 429 -> error(message, "requests", "rate_limit_exceeded");
      default -> status >= 500 ? error(message, "server_error", null) : error(message, "invalid_request_error", null);
    };
  }

  @Override
  protected Rejection quotaExhausted() {
    return new Rejection(429, error("You exceeded your current quota, please check your plan and billing details.",
        "insufficient_quota", "insufficient_quota"));
  }

  @Override
  protected int overloadStatus() {
    return 503;
  }

  private static JsonObject error(String message, String type, String code) {
    return new JsonObject().put("error", new JsonObject()
        .put("message", message).put("type", type).putNull("param").put("code", code));
  }

  private static boolean includeUsage(JsonObject request) {
    JsonObject options = request.getJsonObject("stream_options");
    return options != null && options.getBoolean("include_usage", false);
  }

  private static JsonObject base(JsonObject request, String id) {
    JsonObject chunk = new JsonObject()
        .put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", created())
        .put("model", request.getString("model"))
        .putNull("system_fingerprint");
    if (includeUsage(request)) {
      chunk.putNull("usage");
    }
    return chunk;
  }

  private static JsonObject chunk(JsonObject request, String id, JsonObject delta, String finishReason) {
    return base(request, id).put("choices", new JsonArray().add(new JsonObject()
        .put("index", 0).put("delta", delta).putNull("logprobs").put("finish_reason", finishReason)));
  }

  private static JsonObject usage(JsonObject request, String answer, List<FakeToolCall> calls) {
    int in = inputTokens(request);
    int out = outputTokens(answer, calls);
    return new JsonObject().put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
  }

  private static String data(JsonObject json) {
    return sse(null, json);
  }

  // ---- embeddings ----------------------------------------------------------------------------

  /** The dimension of the fake's vectors when the request names none. */
  public static final int EMBEDDING_DIMENSIONS = 256;

  private static final Set<String> STOP_WORDS = Set.of("a", "an", "the", "is", "are", "was", "be", "to", "of", "in",
      "on", "at", "for", "and", "or", "it", "its", "do", "does", "i", "you", "we", "my", "your", "our", "can", "what",
      "how", "when", "where", "which", "who", "with", "by", "from", "this", "that", "there", "any", "me");

  private final Queue<Fault> embeddingFaults = new ConcurrentLinkedQueue<>();
  private final List<JsonObject> embeddingRequests = new CopyOnWriteArrayList<>();
  private final List<String> embeddingKeys = new CopyOnWriteArrayList<>();
  private volatile int forcedDimensions = -1;

  /**
   * Queues a fault for a coming embeddings request: STATUS (with Retry-After), INSUFFICIENT_QUOTA, DELAY,
   * STALL (never answers), RESET_AFTER_CHUNKS (closes the connection), MALFORMED_JSON (a cut-off body), KEY_ECHO.
   */
  public void enqueueEmbeddings(Fault fault) {
    embeddingFaults.add(fault);
  }

  /** The embeddings request bodies received, in order (faulted ones included). */
  public List<JsonObject> embeddingRequests() {
    return List.copyOf(embeddingRequests);
  }

  /** The API key of each embeddings request, in order ("" when none was sent). */
  public List<String> embeddingKeys() {
    return List.copyOf(embeddingKeys);
  }

  /** Answers vectors of {@code n} dimensions whatever is asked, as a server running another model would; -1 undoes it. */
  public void forceEmbeddingDimensions(int n) {
    forcedDimensions = n;
  }

  @Override
  public void reset() {
    super.reset();
    reportsUsage = true;
    embeddingFaults.clear();
    embeddingRequests.clear();
    embeddingKeys.clear();
    forcedDimensions = -1;
  }

  /**
   * The fake's vector of a text: each word (lower case, a plural's final s dropped, common words left out)
   * adds ±1 to a slot chosen by its hash; unit length. Texts that share words have a positive cosine.
   */
  public static float[] embedding(String text, int dimensions) {
    float[] v = new float[dimensions];
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (word.isEmpty() || STOP_WORDS.contains(word)) {
        continue;
      }
      String stem = word.length() > 3 && word.endsWith("s") ? word.substring(0, word.length() - 1) : word;
      int hash = stem.hashCode();
      v[Math.floorMod(hash, dimensions)] += ((hash >>> 16) & 1) == 0 ? 1 : -1;
    }
    double norm = 0;
    for (float f : v) {
      norm += f * f;
    }
    if (norm == 0) {
      v[0] = 1;
      return v;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] / Math.sqrt(norm));
    }
    return v;
  }

  @Override
  protected boolean otherEndpoint(HttpServerRequest request) {
    if (request.method() != HttpMethod.POST || !request.path().endsWith("/v1/embeddings")) {
      return false;
    }
    request.body().onSuccess(buffer -> {
      JsonObject body;
      try {
        body = buffer.toJsonObject();
      } catch (RuntimeException e) {
        send(request.response(), 400, errorBody(400, "We could not parse the JSON body of your request."));
        return;
      }
      embeddingRequests.add(body);
      embeddingKeys.add(receivedKey(request));
      Fault fault = embeddingFaults.poll();
      Rejection rejection = checkAuth(request);
      if (rejection != null) {
        send(request.response(), rejection.status(), rejection.body());
        return;
      }
      if (fault == null) {
        embeddings(request.response(), body);
        return;
      }
      HttpServerResponse response = request.response();
      switch (fault.kind()) {
        case STATUS -> {
          if (fault.retryAfter() != null) {
            response.putHeader("retry-after", fault.retryAfter());
          }
          send(response, fault.statusCode(), errorBody(fault.statusCode(), "Embeddings failed with " + fault.statusCode()));
        }
        case INSUFFICIENT_QUOTA -> {
          Rejection quota = quotaExhausted();
          send(response, quota.status(), quota.body());
        }
        case DELAY -> vertx.setTimer(Math.max(1, fault.delayMs()), t -> embeddings(response, body));
        case STALL -> {
          // never answers
        }
        case RESET_AFTER_CHUNKS -> request.connection().close();
        case MALFORMED_JSON -> response.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.12,");
        case KEY_ECHO -> send(response, 401, errorBody(401, "Incorrect API key provided: " + receivedKey(request)
            + ". You can find your API key in your account settings."));
        default -> send(response, 500, errorBody(500, "The fake does not apply " + fault + " to embeddings"));
      }
    });
    return true;
  }

  private void embeddings(HttpServerResponse response, JsonObject request) {
    Object input = request.getValue("input");
    List<String> texts = new ArrayList<>();
    if (input instanceof String one) {
      texts.add(one);
    } else if (input instanceof JsonArray many) {
      for (Object item : many) {
        texts.add(item instanceof String text ? text : null);
      }
    }
    if (!(request.getValue("model") instanceof String model) || texts.isEmpty() || texts.size() > 2048
        || texts.stream().anyMatch(t -> t == null || t.isEmpty())) {
      send(response, 400, errorBody(400, "'$.input' is invalid. Please check the API reference."));
      return;
    }
    int dimensions = forcedDimensions > 0 ? forcedDimensions : request.getInteger("dimensions", EMBEDDING_DIMENSIONS);
    JsonArray data = new JsonArray();
    int tokens = 0;
    for (int i = 0; i < texts.size(); i++) {
      JsonArray values = new JsonArray();
      for (float f : embedding(texts.get(i), dimensions)) {
        values.add(f);
      }
      data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", values));
      tokens += texts.get(i).split("\\s+").length;
    }
    send(response, 200, new JsonObject().put("object", "list").put("data", data).put("model", model)
        .put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens)));
  }

  private static void send(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}
