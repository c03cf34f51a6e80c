package dev.parley.http;

import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** One chat turn: builds the provider request, the record to store and the event to publish. */
final class Turn {

  private static final String[] PROVIDER_FIELDS = {"id", "provider", "model", "base_url", "api_key_enc", "temperature",
      "max_tokens"};

  private final JsonObject bot;
  private final String sessionId;
  private final String message;
  private final long startedAt = System.currentTimeMillis();

  Turn(JsonObject bot, String sessionId, String message) {
    this.bot = bot;
    this.sessionId = sessionId;
    this.message = message;
  }

  String botId() {
    return bot.getString("id");
  }

  String sessionId() {
    return sessionId;
  }

  int historyLimit() {
    return bot.getInteger("history_limit", 20);
  }

  JsonObject providerRequest(JsonArray history) {
    JsonObject settings = new JsonObject();
    for (String field : PROVIDER_FIELDS) {
      settings.put(field, bot.getValue(field));
    }
    JsonArray messages = history.copy().add(new JsonObject().put(Fields.ROLE, "user").put(Fields.CONTENT, message));
    return new JsonObject().put(Fields.BOT, settings).put(Fields.SYSTEM, bot.getString("prompt")).put(Fields.MESSAGES, messages);
  }

  long latencyMs() {
    return System.currentTimeMillis() - startedAt;
  }

  /** The record of a turn whose answer is complete. */
  JsonObject answered(JsonObject answer) {
    return record(assistant(answer.getString(Fields.CONTENT, ""), "complete", null, answer), null);
  }

  /** The record of a turn whose streamed answer broke off after {@code partial}. */
  JsonObject interrupted(String partial, ParleyException error) {
    return record(assistant(partial, "incomplete", error.code(), new JsonObject()), null);
  }

  /** The record of a turn that got no answer: the user message is kept with the failure. */
  JsonObject failed(ParleyException error) {
    return record(null, error.code());
  }

  /** The body of {@code parley.events.turn.completed}. */
  JsonObject event(JsonObject stored, JsonObject record) {
    JsonObject assistant = record.getJsonObject(Fields.ASSISTANT);
    return new JsonObject()
        .put(Fields.BOT_ID, botId())
        .put(Fields.SESSION_ID, sessionId)
        .put(Fields.CONVERSATION_ID, stored.getString(Fields.CONVERSATION_ID))
        .put(Fields.MESSAGE_ID, stored.getString(Fields.MESSAGE_ID))
        .put(Fields.USER, message)
        .put(Fields.ASSISTANT, assistant == null ? null : assistant.getString(Fields.CONTENT))
        .put(Fields.STATUS, assistant == null ? "failed" : assistant.getString(Fields.STATUS))
        .put(Fields.ERROR, assistant == null ? record.getString(Fields.ERROR) : assistant.getString(Fields.ERROR))
        .put(Fields.PROVIDER, bot.getString("provider"))
        .put(Fields.MODEL, bot.getString("model"))
        .put(Fields.USAGE, usageOf(assistant == null ? new JsonObject() : assistant))
        .put(Fields.LATENCY_MS, assistant == null ? latencyMs() : assistant.getLong(Fields.LATENCY_MS));
  }

  private static JsonObject usageOf(JsonObject fields) {
    return new JsonObject()
        .put(Fields.INPUT_TOKENS, fields.getInteger(Fields.INPUT_TOKENS, 0))
        .put(Fields.OUTPUT_TOKENS, fields.getInteger(Fields.OUTPUT_TOKENS, 0))
        .put(Fields.COST, fields.getDouble(Fields.COST, 0.0));
  }

  private JsonObject assistant(String content, String status, String error, JsonObject answer) {
    JsonObject usage = answer.getJsonObject(Fields.USAGE, new JsonObject());
    return new JsonObject()
        .put(Fields.CONTENT, content)
        .put(Fields.STATUS, status)
        .put(Fields.ERROR, error)
        .put(Fields.INPUT_TOKENS, usage.getInteger(Fields.INPUT_TOKENS))
        .put(Fields.OUTPUT_TOKENS, usage.getInteger(Fields.OUTPUT_TOKENS))
        .put(Fields.COST, answer.getDouble(Fields.COST))
        .put(Fields.LATENCY_MS, latencyMs())
        .put(Fields.PROVIDER, answer.getString(Fields.PROVIDER, bot.getString("provider")))
        .put(Fields.MODEL, answer.getString(Fields.MODEL, bot.getString("model")))
        .put(Fields.SOURCES, answer.getJsonArray(Fields.SOURCES, new JsonArray()));
  }

  private JsonObject record(JsonObject assistant, String error) {
    return new JsonObject()
        .put(Fields.BOT_ID, botId())
        .put(Fields.SESSION_ID, sessionId)
        .put(Fields.USER, new JsonObject().put(Fields.CONTENT, message).put(Fields.CREATED_AT, startedAt))
        .put(Fields.ASSISTANT, assistant)
        .put(Fields.ERROR, error);
  }
}
