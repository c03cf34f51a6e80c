package dev.parley.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A fake Anthropic Messages server: {@code POST /v1/messages}, which requires the
 * {@code x-api-key} and {@code anthropic-version} headers, JSON answers, named SSE events
 * ({@code message_start}, {@code content_block_start}, {@code ping}, {@code content_block_delta}…,
 * {@code content_block_stop}, {@code message_delta}, {@code message_stop}) and errors shaped
 * {@code {"type":"error","error":{"type","message"}}}. Scripted tool calls ({@link #answerToolCalls}) come as
 * {@code tool_use} content blocks with {@code stop_reason: "tool_use"}, streamed as {@code input_json_delta}
 * pieces ({@link #toolCallEvents}). Give Parley {@link #baseUrl()}, which has
 * no version path, like the SDK's default.
 */
public final class FakeAnthropic extends FakeModelServer {

  public static Future<FakeAnthropic> start(Vertx vertx) {
    return deploy(vertx, new FakeAnthropic());
  }

  @Override
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  @Override
  protected String path() {
    return "/v1/messages";
  }

  @Override
  protected String idPrefix() {
    return "msg_fake";
  }

  @Override
  protected Rejection checkAuth(HttpServerRequest request) {
    String key = request.getHeader("x-api-key");
    if (key == null || key.isBlank()) {
      return new Rejection(401, error("authentication_error", "x-api-key header is required"));
    }
    if (request.getHeader("anthropic-version") == null) {
      return new Rejection(400, error("invalid_request_error", "anthropic-version: header is required"));
    }
    return null;
  }

  @Override
  protected String receivedKey(HttpServerRequest request) {
    String key = request.getHeader("x-api-key");
    return key == null ? "" : key;
  }

  @Override
  protected JsonObject completion(JsonObject request, String id, String answer, List<FakeToolCall> calls) {
    JsonArray content = new JsonArray();
    if (!answer.isEmpty() || calls.isEmpty()) {
      content.add(new JsonObject().put("type", "text").put("text", answer));
    }
    calls.forEach(call -> content.add(new JsonObject().put("type", "tool_use").put("id", call.id())
        .put("name", call.name()).put("input", call.input())));
    return new JsonObject()
        .put("id", id)
        .put("type", "message")
        .put("role", "assistant")
        .put("model", request.getString("model"))
        .put("content", content)
        .put("stop_reason", calls.isEmpty() ? "end_turn" : "tool_use")
        .putNull("stop_sequence")
        .put("usage", new JsonObject()
            .put("input_tokens", inputTokens(request)).put("output_tokens", outputTokens(answer, calls)));
  }

  @Override
  protected List<String> openingEvents(JsonObject request, String id) {
    JsonObject message = new JsonObject()
        .put("id", id).put("type", "message").put("role", "assistant").put("model", request.getString("model"))
        .put("content", new JsonArray()).putNull("stop_reason").putNull("stop_sequence")
        .put("usage", new JsonObject().put("input_tokens", inputTokens(request)).put("output_tokens", 1));
    return List.of(
        sse("message_start", new JsonObject().put("type", "message_start").put("message", message)),
        sse("content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
            .put("content_block", new JsonObject().put("type", "text").put("text", ""))),
        sse("ping", new JsonObject().put("type", "ping")));
  }

  @Override
  protected String deltaEvent(JsonObject request, String id, String text) {
    return sse("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 0)
        .put("delta", new JsonObject().put("type", "text_delta").put("text", text)));
  }

  /**
   * The text block ends, then one {@code tool_use} block per call (index 1, 2…): {@code content_block_start} with
   * its id and name and an empty input, the input as {@code input_json_delta} pieces, {@code content_block_stop}.
   */
  @Override
  protected List<String> toolCallEvents(JsonObject request, String id, List<FakeToolCall> calls, int fragments) {
    List<String> events = new ArrayList<>();
    events.add(blockStop(0));
    for (int i = 0; i < calls.size(); i++) {
      FakeToolCall call = calls.get(i);
      int index = i + 1;
      events.add(sse("content_block_start", new JsonObject().put("type", "content_block_start").put("index", index)
          .put("content_block", new JsonObject().put("type", "tool_use").put("id", call.id()).put("name", call.name())
              .put("input", new JsonObject()))));
      for (String piece : call.fragments(fragments)) {
        events.add(sse("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", index)
            .put("delta", new JsonObject().put("type", "input_json_delta").put("partial_json", piece))));
      }
      events.add(blockStop(index));
    }
    return events;
  }

  @Override
  protected List<String> closingEvents(JsonObject request, String id, String answer, List<FakeToolCall> calls) {
    List<String> events = new ArrayList<>();
    if (calls.isEmpty()) {
      events.add(blockStop(0));
    }
    events.add(sse("message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", calls.isEmpty() ? "end_turn" : "tool_use").putNull("stop_sequence"))
        .put("usage", new JsonObject().put("output_tokens", outputTokens(answer, calls)))));
    events.add(sse("message_stop", new JsonObject().put("type", "message_stop")));
    return events;
  }

  private static String blockStop(int index) {
    return sse("content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", index));
  }

  @Override
  protected String malformedEvent() {
    return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_del\n\n";
  }

  @Override
  protected String inBandErrorEvent() {
    return sse("error", error("overloaded_error", "Overloaded"));
  }

  @Override
  protected JsonObject errorBody(int status, String message) {
    String type = switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 402 -> "billing_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 529 -> "overloaded_error";
      default -> status >= 500 ? "api_error" : "invalid_request_error";
    };
    return error(type, message);
  }

  @Override
  protected Rejection quotaExhausted() {
    return new Rejection(400, error("invalid_request_error",
        "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."));
  }

  @Override
  protected Rejection spendLimitReached() {
    return new Rejection(400, error("invalid_request_error",
        "You have reached your specified API usage limits. You will regain access on 2030-01-01 at 00:00 UTC."));
  }

  @Override
  protected int overloadStatus() {
    return 529;
  }

  private static JsonObject error(String type, String message) {
    return new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", type).put("message", message));
  }
}
