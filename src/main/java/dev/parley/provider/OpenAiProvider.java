package dev.parley.provider;

import io.vertx.core.Future;
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
final class OpenAiProvider implements ModelProvider {

  static final String NAME = "openai";

  /** Reasoning models take {@code max_completion_tokens} and only their default temperature. */
  private static final Pattern REASONING_MODEL = Pattern.compile("^(o\\d|gpt-5)([-.].*)?$");

  private final UpstreamHttp http;
  private final String defaultBaseUrl;

  OpenAiProvider(UpstreamHttp http, String defaultBaseUrl) {
    this.http = http;
    this.defaultBaseUrl = defaultBaseUrl;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String displayName() {
    return "OpenAI";
  }

  @Override
  public String defaultBaseUrl() {
    return defaultBaseUrl;
  }

  @Override
  public Future<Completion> complete(ModelCall call) {
    return http.postJson(url(call), headers(call), body(call, false), OpenAiProvider::error)
        .map(OpenAiProvider::completion);
  }

  @Override
  public Future<Completion> stream(ModelCall call, Consumer<String> onDelta) {
    return http.postStream(url(call), headers(call), body(call, true), OpenAiProvider::error,
        new Decoder(onDelta), call);
  }

  private static String url(ModelCall call) {
    return trimSlash(call.baseUrl()) + "/chat/completions";
  }

  static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static MultiMap headers(ModelCall call) {
    return MultiMap.caseInsensitiveMultiMap().add(HttpHeaders.AUTHORIZATION, "Bearer " + call.apiKey());
  }

  static JsonObject body(ModelCall call, boolean stream) {
    JsonArray messages = new JsonArray();
    if (call.system() != null && !call.system().isBlank()) {
      messages.add(new JsonObject().put("role", "system").put("content", call.system()));
    }
    for (Object message : call.messages()) {
      JsonObject m = (JsonObject) message;
      messages.add(new JsonObject().put("role", m.getString("role")).put("content", m.getString("content")));
    }
    JsonObject body = new JsonObject().put("model", call.model()).put("messages", messages);
    boolean reasoning = REASONING_MODEL.matcher(call.model()).matches();
    if (call.temperature() != null && !reasoning) {
      body.put("temperature", call.temperature());
    }
    if (call.maxTokens() != null) {
      body.put(reasoning ? "max_completion_tokens" : "max_tokens", call.maxTokens());
    }
    body.put("stream", stream);
    if (stream) {
      body.put("stream_options", new JsonObject().put("include_usage", true));
    }
    return body;
  }

  private static ProviderFailure error(int status, long retryAfterMs, JsonObject body) {
    JsonObject error = body == null ? null : body.getValue("error") instanceof JsonObject e ? e : null;
    if (status == 429 && error != null
        && ("insufficient_quota".equals(error.getValue("code")) || "insufficient_quota".equals(error.getValue("type")))) {
      return ProviderFailure.quota(status);
    }
    return ProviderFailure.http(status, retryAfterMs);
  }

  private static Completion completion(JsonObject body) {
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
      content = message.getString("refusal", "");
    }
    JsonObject usage = body.getJsonObject("usage", new JsonObject());
    return new Completion(content, usage.getLong("prompt_tokens", 0L), usage.getLong("completion_tokens", 0L),
        choice.getString("finish_reason", "stop"));
  }

  /** Chunks of {@code chat.completion.chunk}, a usage chunk with no choices, then {@code [DONE]}. */
  private static final class Decoder extends StreamDecoder {

    private boolean done;
    private String finishReason;
    private long inputTokens;
    private long outputTokens;

    Decoder(Consumer<String> onDelta) {
      super(onDelta);
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
          }
          String reason = choice.getString("finish_reason");
          if (reason != null) {
            finishReason = reason;
          }
        }
      }
      JsonObject usage = chunk.getJsonObject("usage");
      if (usage != null) {
        inputTokens = usage.getLong("prompt_tokens", inputTokens);
        outputTokens = usage.getLong("completion_tokens", outputTokens);
      }
    }

    @Override
    boolean finished() {
      return done || finishReason != null;
    }

    @Override
    Completion result() {
      return new Completion(content(), inputTokens, outputTokens, finishReason == null ? "stop" : finishReason);
    }
  }
}
