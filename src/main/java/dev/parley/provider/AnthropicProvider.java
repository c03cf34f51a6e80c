package dev.parley.provider;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.function.Consumer;

/** Anthropic Messages ({@code POST {base_url}/v1/messages}, {@code x-api-key} and {@code anthropic-version}). */
final class AnthropicProvider extends HttpModelProvider {

  static final String NAME = "anthropic";

  private final String version;
  private final int defaultMaxTokens;

  AnthropicProvider(UpstreamHttp http, String defaultBaseUrl, String version, int defaultMaxTokens) {
    super(http, NAME, "Anthropic", defaultBaseUrl);
    this.version = version;
    this.defaultMaxTokens = defaultMaxTokens;
  }

  @Override
  String path() {
    return "/v1/messages";
  }

  @Override
  MultiMap headers(ModelCall call) {
    return MultiMap.caseInsensitiveMultiMap().add("x-api-key", call.apiKey()).add("anthropic-version", version);
  }

  @Override
  StreamDecoder decoder(Consumer<String> onDelta, Meter meter) {
    return new Decoder(onDelta, meter);
  }

  /**
   * The Messages body. Turns must alternate and start with the user, so empty messages are
   * dropped, consecutive turns of one role are merged (tool results travel as a user turn, so the results of
   * one step and a following user message make one turn) and a leading assistant turn is left out.
   * Anthropic's temperature range is 0–1, so a higher bot setting is capped at 1.
   */
  @Override
  JsonObject body(ModelCall call, boolean stream) {
    JsonArray messages = new JsonArray();
    for (Object item : call.messages()) {
      JsonObject message = (JsonObject) item;
      String role = AnthropicTools.role(message);
      Object content = AnthropicTools.content(message);
      if (content == null || (messages.isEmpty() && !"user".equals(role))) {
        continue;
      }
      JsonObject last = messages.isEmpty() ? null : messages.getJsonObject(messages.size() - 1);
      if (last != null && role.equals(last.getString("role"))) {
        last.put("content", AnthropicTools.merge(last.getValue("content"), content));
      } else {
        messages.add(new JsonObject().put("role", role).put("content", content));
      }
    }
    JsonObject body = new JsonObject().put("model", call.model());
    if (call.system() != null && !call.system().isBlank()) {
      body.put("system", call.system());
    }
    body.put("messages", messages)
        .put("max_tokens", call.maxTokens() != null ? call.maxTokens() : defaultMaxTokens);
    if (call.temperature() != null) {
      body.put("temperature", Math.min(1.0, Math.max(0.0, call.temperature())));
    }
    AnthropicTools.request(call, body);
    return body.put("stream", stream);
  }

  /**
   * Out of credit or past the organisation's spend limit, whatever the status: 402, {@code billing_error},
   * "Your credit balance is too low…", "You have reached your specified API usage limits…", or a type or
   * code naming a spend limit ({@code enforced_spend_limit_reached}). Retrying cannot help those.
   */
  @Override
  ProviderFailure error(int status, long retryAfterMs, JsonObject body) {
    JsonObject error = errorObject(body);
    String type = error == null ? "" : String.valueOf(error.getValue("type"));
    String code = error == null ? "" : String.valueOf(error.getValue("code"));
    String message = error == null ? "" : String.valueOf(error.getValue("message")).toLowerCase(Locale.ROOT);
    if (status == 402 || "billing_error".equals(type) || type.contains("spend_limit") || code.contains("spend_limit")
        || message.contains("credit balance") || message.contains("api usage limits")) {
      return ProviderFailure.quota(status);
    }
    return ProviderFailure.http(status, retryAfterMs);
  }

  @Override
  Completion completion(JsonObject body, Meter meter) {
    if ("error".equals(body.getString("type"))) {
      throw ProviderFailure.inBand();
    }
    JsonArray content = body.getJsonArray("content");
    if (content == null) {
      throw ProviderFailure.protocol("no content in the answer");
    }
    StringBuilder text = new StringBuilder();
    JsonArray toolCalls = new JsonArray();
    for (int i = 0; i < content.size(); i++) {
      JsonObject block = content.getJsonObject(i);
      if ("text".equals(block.getString("type"))) {
        text.append(block.getString("text", ""));
      } else if ("tool_use".equals(block.getString("type"))) {
        if (!(block.getValue("id") instanceof String id) || !(block.getValue("name") instanceof String name)) {
          throw ProviderFailure.protocol("a tool_use block without id or name");
        }
        JsonObject call = ToolCallParts.call(id, name, block.getValue("input"));
        meter.received(block.getValue("input") == null ? null : String.valueOf(block.getValue("input")));
        toolCalls.add(call);
      }
    }
    meter.received(text.toString());
    if (body.getValue("usage") instanceof JsonObject usage) {
      input(usage, meter);
      output(usage, meter);
    }
    return new Completion(text.toString(), finishReason(body.getString("stop_reason")), toolCalls);
  }

  private static void input(JsonObject usage, Meter meter) {
    tokens(usage, "input_tokens", meter::input);
  }

  private static void output(JsonObject usage, Meter meter) {
    tokens(usage, "output_tokens", meter::output);
  }

  /**
   * {@code end_turn} and {@code stop_sequence} read as {@code stop}, {@code max_tokens} as {@code length},
   * {@code tool_use} as {@code tool_calls}.
   */
  static String finishReason(String stopReason) {
    if (stopReason == null || "end_turn".equals(stopReason) || "stop_sequence".equals(stopReason)) {
      return "stop";
    }
    if ("tool_use".equals(stopReason)) {
      return ToolCallParts.FINISH;
    }
    return "max_tokens".equals(stopReason) ? "length" : stopReason;
  }

  /**
   * Named events: message_start (its usage has the input tokens; its output count is a placeholder),
   * content_block_start (a tool_use block's id and name), content_block_delta (text_delta, or a tool_use
   * block's input_json_delta), message_delta (the final output tokens), message_stop, error.
   */
  private static final class Decoder extends StreamDecoder {

    private boolean stopped;
    private String stopReason;

    Decoder(Consumer<String> onDelta, Meter meter) {
      super(onDelta, meter);
    }

    @Override
    void accept(SseEvent event) {
      switch (event.event()) {
        case "message_start" -> {
          JsonObject message = new JsonObject(event.data()).getJsonObject("message", new JsonObject());
          input(message.getJsonObject("usage"), meter());
        }
        case "content_block_start" -> {
          JsonObject data = new JsonObject(event.data());
          JsonObject block = data.getJsonObject("content_block", new JsonObject());
          if ("tool_use".equals(block.getString("type"))) {
            toolCall(data.getInteger("index", 0), block.getString("id"), block.getString("name"), null);
          }
        }
        case "content_block_delta" -> {
          JsonObject data = new JsonObject(event.data());
          JsonObject delta = data.getJsonObject("delta", new JsonObject());
          if ("text_delta".equals(delta.getString("type"))) {
            text(delta.getString("text"));
          } else if ("input_json_delta".equals(delta.getString("type"))) {
            toolCall(data.getInteger("index", 0), null, null, delta.getString("partial_json"));
          }
        }
        case "message_delta" -> {
          JsonObject data = new JsonObject(event.data());
          stopReason = data.getJsonObject("delta", new JsonObject()).getString("stop_reason", stopReason);
          output(data.getJsonObject("usage"), meter());
        }
        case "message_stop" -> stopped = true;
        case "error" -> throw ProviderFailure.inBand();
        default -> {
          // ping, content_block_start/stop and any future event
        }
      }
    }

    @Override
    boolean finished() {
      return stopped || stopReason != null;
    }

    @Override
    Completion result() {
      return new Completion(content(), finishReason(stopReason), toolCalls());
    }
  }
}
