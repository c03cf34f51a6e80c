package dev.parley.chat;

import dev.parley.common.Fields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the visitor gets for an answered turn, made in this one place: as JSON
 * {@code {response, session_id, message_id, sources, usage}}, or as a stream's {@code done} event (the same
 * without {@code response}, which the stream's deltas carried).
 */
public record ChatReply(String response, String sessionId, String messageId, JsonArray sources, JsonObject usage,
    String source) {

  static ChatReply of(Turn turn) {
    JsonObject answer = turn.answer().answer();
    JsonObject usage = answer.getJsonObject(Fields.USAGE, new JsonObject());
    return new ChatReply(turn.answer().content(), turn.sessionId(), turn.stored().getString(Fields.MESSAGE_ID),
        turn.publicSources(), new JsonObject()
            .put(Fields.INPUT_TOKENS, usage.getInteger(Fields.INPUT_TOKENS, 0))
            .put(Fields.OUTPUT_TOKENS, usage.getInteger(Fields.OUTPUT_TOKENS, 0))
            .put(Fields.COST, answer.getDouble(Fields.COST, 0.0)), turn.answer().source());
  }

  public JsonObject toJson() {
    return new JsonObject().put("response", response).put(Fields.SESSION_ID, sessionId)
        .put(Fields.MESSAGE_ID, messageId).put(Fields.SOURCES, sources).put(Fields.USAGE, usage).mergeIn(marked());
  }

  /** {@code {source: "answer"}} for a stored answer given as it is ({@link StoredAnswer}), else nothing. */
  private JsonObject marked() {
    return source == null ? new JsonObject() : new JsonObject().put(Fields.SOURCE, source);
  }

  /** The data of a stream's {@code done} event. */
  public JsonObject toDone() {
    return new JsonObject().put(Fields.MESSAGE_ID, messageId).put(Fields.SESSION_ID, sessionId)
        .put(Fields.SOURCES, sources).put(Fields.USAGE, usage).mergeIn(marked());
  }
}
