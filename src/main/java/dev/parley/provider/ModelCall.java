package dev.parley.provider;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One model call as a {@link ModelProvider} sees it: the bot's settings resolved (base URL,
 * decrypted key), the system prompt, the history ending with the user's message or tool results
 * (normalised by {@link ToolRequest}), and the tools the model may call (null when none) with the
 * {@code tool_choice} (null when the request leaves it to the vendor). {@code request} is the event-bus body as received, for providers that read
 * more fields. {@code cancelled} completes when the caller gave up (the call's deadline
 * passed): a provider stops its upstream request then. {@link #toString()} leaves the key out.
 */
public record ModelCall(
    String provider,
    String botId,
    String requestId,
    String model,
    String baseUrl,
    String apiKey,
    String system,
    JsonArray messages,
    Double temperature,
    Integer maxTokens,
    JsonArray tools,
    ToolRequest.ToolChoice toolChoice,
    JsonObject request,
    Future<Void> cancelled) {

  @Override
  public String toString() {
    return "ModelCall[provider=" + provider + ", bot=" + botId + ", request=" + requestId + ", model=" + model
        + ", base_url=" + baseUrl + ", messages=" + (messages == null ? 0 : messages.size()) + "]";
  }
}
