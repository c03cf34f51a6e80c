package dev.parley.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A fake OpenAI Chat Completions server: {@code POST /v1/chat/completions} with Bearer auth,
 * JSON answers and {@code text/event-stream} chunks ending in {@code data: [DONE]}, a usage
 * chunk when {@code stream_options.include_usage} is true, and errors shaped
 * {@code {"error":{"message","type","param","code"}}}. Give Parley {@link #baseUrl()}, which
 * ends in {@code /v1} like the SDKs' default.
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
  protected JsonObject completion(JsonObject request, String id, String answer) {
    return new JsonObject()
        .put("id", id)
        .put("object", "chat.completion")
        .put("created", created())
        .put("model", request.getString("model"))
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", answer).putNull("refusal"))
            .putNull("logprobs")
            .put("finish_reason", "stop")))
        .put("usage", usage(request, answer))
        .putNull("system_fingerprint");
  }

  @Override
  protected List<String> openingEvents(JsonObject request, String id) {
    return List.of(data(chunk(request, id, new JsonObject().put("role", "assistant").put("content", ""), null)));
  }

  @Override
  protected String deltaEvent(JsonObject request, String id, String text) {
    return data(chunk(request, id, new JsonObject().put("content", text), null));
  }

  @Override
  protected List<String> closingEvents(JsonObject request, String id, String answer) {
    List<String> events = new ArrayList<>();
    events.add(data(chunk(request, id, new JsonObject(), "stop")));
    if (includeUsage(request)) {
      events.add(data(base(request, id).put("choices", new JsonArray()).put("usage", usage(request, answer))));
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

  private static JsonObject usage(JsonObject request, String answer) {
    int in = inputTokens(request);
    int out = outputTokens(answer);
    return new JsonObject().put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
  }

  private static String data(JsonObject json) {
    return sse(null, json);
  }
}
