package dev.parley.provider;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * OpenAI Chat Completions ({@code POST {base_url}/chat/completions}, Bearer auth), which also
 * serves any compatible server (Ollama, vLLM, LM Studio, OpenRouter…) through {@code base_url}.
 */
final class OpenAiProvider extends HttpModelProvider {

  static final String NAME = "openai";

  /** Reasoning models take {@code max_completion_tokens} and only their default temperature. */
  private static final Pattern REASONING_MODEL = Pattern.compile("^(o\\d|gpt-5)([-.].*)?$");

  OpenAiProvider(UpstreamHttp http, String defaultBaseUrl) {
    super(http, NAME, "OpenAI", defaultBaseUrl);
  }

  @Override
  String path() {
    return "/chat/completions";
  }

  @Override
  MultiMap headers(ModelCall call) {
    return MultiMap.caseInsensitiveMultiMap().add(HttpHeaders.AUTHORIZATION, "Bearer " + call.apiKey());
  }

  @Override
  StreamDecoder decoder(Consumer<String> onDelta, Meter meter) {
    return new Decoder(onDelta, meter);
  }

  @Override
  JsonObject body(ModelCall call, boolean stream) {
    JsonArray messages = new JsonArray();
    if (call.system() != null && !call.system().isBlank()) {
      messages.add(new JsonObject().put("role", "system").put("content", call.system()));
    }
    for (Object message : call.messages()) {
      messages.add(OpenAiTools.message((JsonObject) message));
    }
    JsonObject body = new JsonObject().put("model", call.model()).put("messages", messages);
    boolean reasoning = REASONING_MODEL.matcher(call.model()).matches();
    if (call.temperature() != null && !reasoning) {
      body.put("temperature", call.temperature());
    }
    if (call.maxTokens() != null) {
      body.put(reasoning ? "max_completion_tokens" : "max_tokens", call.maxTokens());
    }
    OpenAiTools.request(call, body);
    body.put("stream", stream);
    if (stream) {
      body.put("stream_options", new JsonObject().put("include_usage", true));
    }
    return body;
  }

  @Override
  ProviderFailure error(int status, long retryAfterMs, JsonObject body) {
    JsonObject error = errorObject(body);
    if (status == 429 && error != null
        && ("insufficient_quota".equals(error.getValue("code")) || "insufficient_quota".equals(error.getValue("type")))) {
      return ProviderFailure.quota(status);
    }
    return ProviderFailure.http(status, retryAfterMs);
  }

  @Override
  Completion completion(JsonObject body, Meter meter) {
    if (body.getValue("error") instanceof JsonObject) {
      throw ProviderFailure.inBand();
    }
    JsonArray choices = body.getJsonArray("choices");
    if (choices == null || choices.isEmpty()) {
      throw ProviderFailure.protocol("no choices in the answer");
    }
    JsonObject choice = choices.getJsonObject(0);
    JsonObject message = choice.getJsonObject("message");
    if (message == null) {
      throw ProviderFailure.protocol("no message in the answer");
    }
    String content = message.getString("content");
    if (content == null) {
      // a tool-calling answer has no content; a refused one says why in refusal (either may be null)
      content = message.getValue("refusal") instanceof String refusal ? refusal : "";
    }
    meter.received(content);
    JsonArray calls = OpenAiTools.calls(message, meter);
    usage(body.getValue("usage"), meter);
    return new Completion(content, choice.getString("finish_reason", "stop"), calls);
  }

  /** The vendor's {@code usage} ({@code prompt_tokens}, {@code completion_tokens}), when the server sent one. */
  private static void usage(Object usage, Meter meter) {
    tokens(usage, "prompt_tokens", meter::input);
    tokens(usage, "completion_tokens", meter::output);
  }

  /**
   * Chunks of {@code chat.completion.chunk}, a usage chunk with no choices (asked for with
   * {@code stream_options.include_usage}; before it, chunks carry {@code "usage": null}), then {@code [DONE]}.
   * A stream stopped before the usage chunk, or from a server that sends none, is estimated by its meter.
   */
  private static final class Decoder extends StreamDecoder {

    private boolean done;
    private String finishReason;

    Decoder(Consumer<String> onDelta, Meter meter) {
      super(onDelta, meter);
    }

    @Override
    void accept(SseEvent event) {
      if (!"message".equals(event.event()) && !"error".equals(event.event())) {
        return;
      }
      String data = event.data().trim();
      if ("[DONE]".equals(data)) {
        done = true;
        return;
      }
      JsonObject chunk = new JsonObject(data);
      if (chunk.getValue("error") != null || "error".equals(event.event())) {
        throw ProviderFailure.inBand();
      }
      JsonArray choices = chunk.getJsonArray("choices");
      if (choices != null) {
        for (int i = 0; i < choices.size(); i++) {
          JsonObject choice = choices.getJsonObject(i);
          if (choice.getInteger("index", 0) != 0) {
            continue;
          }
          JsonObject delta = choice.getJsonObject("delta");
          if (delta != null) {
            text(delta.getString("content"));
            if (delta.getValue("tool_calls") instanceof JsonArray calls) {
              for (int c = 0; c < calls.size(); c++) {
                OpenAiTools.fragment(this::toolCall, calls.getValue(c), c);
              }
            }
          }
          String reason = choice.getString("finish_reason");
          if (reason != null) {
            finishReason = reason;
          }
        }
      }
      usage(chunk.getValue("usage"), meter());
    }

    @Override
    boolean finished() {
      return done || finishReason != null;
    }

    @Override
    Completion result() {
      return new Completion(content(), finishReason == null ? "stop" : finishReason, toolCalls());
    }
  }
}
