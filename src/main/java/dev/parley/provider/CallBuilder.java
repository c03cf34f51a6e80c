package dev.parley.provider;

import dev.parley.common.Bus;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.KeyScope;
import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Builds a {@link ModelCall} from a request: checks its fields, resolves the base URL and decrypts the key
 * ({@link #call}), and builds the call of a bot's fallback ({@link #fallbackCall}). Every malformed field fails
 * with 422 {@code validation_failed} naming it.
 */
final class CallBuilder {

  private final ProviderSettings settings;
  private final SecretBox secrets;

  CallBuilder(ProviderSettings settings, SecretBox secrets) {
    this.settings = settings;
    this.secrets = secrets;
  }

  ModelCall call(ModelProvider provider, Message<JsonObject> message, JsonObject bot, Future<Void> cancelled) {
    JsonObject body = message.body();
    String botId = bot.getValue("id") instanceof String id ? id : null;
    String model = requiredString(bot, Fields.MODEL, "bot.model");
    JsonArray messages = ToolRequest.messages(body);
    JsonArray tools = ToolRequest.tools(body);
    ToolRequest.ToolChoice choice = ToolRequest.choice(body, tools);
    String system = body.getValue(Fields.SYSTEM) instanceof String s ? s : null;
    JsonObject vendor = settings.vendor(provider.name());
    String baseUrl = nonBlank(bot.getValue("base_url"));
    if (baseUrl == null) {
      baseUrl = nonBlank(vendor.getValue("base_url"));
    }
    if (baseUrl == null) {
      baseUrl = provider.defaultBaseUrl();
    }
    if (baseUrl != null && !baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
      throw ParleyException.invalid("bot.base_url", "The base URL must start with http:// or https://");
    }
    return new ModelCall(provider.name(), botId, Bus.requestId(message), model, baseUrl,
        apiKey(provider, bot, botId, vendor, baseUrl), system, messages,
        number(bot, "temperature") == null ? null : number(bot, "temperature").doubleValue(),
        number(bot, "max_tokens") == null ? null : number(bot, "max_tokens").intValue(),
        tools, choice, body, cancelled);
  }

  /** The bot's fallback {@code {provider, model}}, or null when it has none. */
  static JsonObject fallbackSpec(JsonObject bot) {
    Object value = bot.getValue(Fields.FALLBACK);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject spec)) {
      throw ParleyException.invalid("bot.fallback", "fallback must be an object {provider, model}");
    }
    requiredString(spec, Fields.PROVIDER, "bot.fallback.provider");
    requiredString(spec, Fields.MODEL, "bot.fallback.model");
    return spec;
  }

  /**
   * The fallback's call: same prompt, history, settings and cancellation, the fallback's provider and model.
   * The same provider keeps the bot's base URL and key; another one uses the configured base URL and key
   * of that provider (none for {@code extractive}).
   */
  ModelCall fallbackCall(ModelProvider provider, JsonObject spec, ModelProvider primary, ModelCall primaryCall) {
    String model = requiredString(spec, Fields.MODEL, "bot.fallback.model");
    if (provider == primary) {
      return new ModelCall(provider.name(), primaryCall.botId(), primaryCall.requestId(), model, primaryCall.baseUrl(),
          primaryCall.apiKey(), primaryCall.system(), primaryCall.messages(), primaryCall.temperature(),
          primaryCall.maxTokens(), primaryCall.tools(), primaryCall.toolChoice(), primaryCall.request(),
          primaryCall.cancelled());
    }
    JsonObject vendor = settings.vendor(provider.name());
    String baseUrl = nonBlank(vendor.getValue("base_url"));
    if (baseUrl == null) {
      baseUrl = provider.defaultBaseUrl();
    }
    String key = nonBlank(vendor.getValue("api_key"));
    if (key == null && provider.requiresApiKey()) {
      throw new ParleyException(ErrorCodes.UNAVAILABLE, "provider_not_configured",
          "No API key is configured for the fallback provider " + provider.displayName(), null, 0);
    }
    return new ModelCall(provider.name(), primaryCall.botId(), primaryCall.requestId(), model, baseUrl, key,
        primaryCall.system(), primaryCall.messages(), primaryCall.temperature(), primaryCall.maxTokens(),
        primaryCall.tools(), primaryCall.toolChoice(), primaryCall.request(), primaryCall.cancelled());
  }

  /** The bot's own key, else the server's key of the provider when the call goes where that key belongs ({@link KeyScope}). */
  private String apiKey(ModelProvider provider, JsonObject bot, String botId, JsonObject vendor, String baseUrl) {
    String encrypted = nonBlank(bot.getValue(Fields.API_KEY_ENC));
    if (encrypted != null) {
      if (botId == null) {
        throw ParleyException.invalid("bot.id", "A bot with an encrypted key needs its id");
      }
      try {
        return secrets.decrypt(encrypted, botId);
      } catch (ParleyException unreadable) {
        throw unreadable;
      } catch (RuntimeException cipherFailure) {
        // a truncated ciphertext makes the JCE throw unchecked exceptions SecretBox does not map
        throw new ParleyException(ErrorCodes.INTERNAL, "secret_unreadable",
            "The bot's API key cannot be decrypted: was PARLEY_SECRET_KEY changed? Set the key again.");
      }
    }
    String configured = nonBlank(vendor.getValue("api_key"));
    String home = nonBlank(vendor.getValue("base_url"));
    if (configured != null && baseUrl != null
        && !KeyScope.covers(home == null ? provider.defaultBaseUrl() : home, baseUrl)) {
      throw new ParleyException(ErrorCodes.UNAVAILABLE, "provider_not_configured", "The bot's base_url is not "
          + provider.displayName() + "'s configured one, and the server's key is only sent there: set the bot's own api_key",
          "api_key", 0);
    }
    if (configured == null && provider.requiresApiKey()) {
      throw new ParleyException(ErrorCodes.UNAVAILABLE, "provider_not_configured",
          "No API key is set for " + provider.displayName() + ": set one on the bot or configure the server's default key",
          null, 0);
    }
    return configured;
  }

  static String requiredString(JsonObject json, String key, String field) {
    String value = nonBlank(json.getValue(key));
    if (value == null) {
      throw ParleyException.invalid(field, field + " is required");
    }
    return value;
  }

  private static String nonBlank(Object value) {
    return value instanceof String s && !s.isBlank() ? s.trim() : null;
  }

  private static Number number(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n) {
      return n;
    }
    throw ParleyException.invalid("bot." + key, key + " must be a number");
  }
}
