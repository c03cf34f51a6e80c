package dev.parley.chat;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;

/**
 * What a turn was answered with: the provider's answer ({@code answer}, {@link dev.parley.common.ProviderClient}),
 * or the provider's failure as it reported it ({@code reported}), or an answer no model gave ({@code fromModel}
 * false: the budget message). {@code sent} is the text the visitor was streamed, {@code received} all the text
 * that came back, and {@code clientGone} whether the visitor left before the end. {@code tools} is what the turn's
 * tool loop did before this answer ({@link ToolLog#NONE} without tools).
 */
public record Answer(JsonObject answer, ParleyException reported, boolean clientGone, String sent, String received,
    boolean fromModel, ToolLog tools) {

  static final ParleyException CLIENT_GONE = new ParleyException(ErrorCodes.CLIENT_CLOSED_REQUEST,
      "client_disconnected", "The visitor left before the answer was complete");

  /** The model's whole answer, given at once. */
  static Answer of(JsonObject answer) {
    return new Answer(answer, null, false, "", "", true, ToolLog.NONE);
  }

  /** The model's answer, streamed to a visitor who was sent {@code sent} (all of it unless they left). */
  static Answer streamed(JsonObject answer, String sent, String received, boolean clientGone) {
    return new Answer(answer, null, clientGone, sent, received, true, ToolLog.NONE);
  }

  /** The model's failure, after {@code received} came back, of which the visitor was sent {@code sent}. */
  static Answer failed(ParleyException reported, String sent, String received, boolean clientGone) {
    return new Answer(null, reported, clientGone, sent, received, true, ToolLog.NONE);
  }

  /** An answer no model gave: {@code content}, stored with {@code provider} and the note {@code code}. */
  static Answer given(String content, String provider, String code) {
    return new Answer(new JsonObject().put(Fields.CONTENT, content).put(Fields.PROVIDER, provider).put(Fields.ERROR, code),
        null, false, "", "", false, ToolLog.NONE);
  }

  /** A bot's stored answer {@code answerId} given as it is ({@link StoredAnswer}): stored with provider {@code answer}. */
  static Answer stored(String content, String answerId) {
    return new Answer(new JsonObject().put(Fields.CONTENT, content).put(Fields.PROVIDER, StoredAnswer.SOURCE)
        .put(Fields.MODEL, answerId), null, false, "", "", false, ToolLog.NONE);
  }

  /** {@code "answer"} for a stored answer given as it is, else null (the model's answer, or the budget message). */
  String source() {
    return !fromModel && answer != null && StoredAnswer.SOURCE.equals(answer.getString(Fields.PROVIDER))
        ? StoredAnswer.SOURCE : null;
  }

  /** The same answer after the tool loop {@code log}. */
  Answer withTools(ToolLog log) {
    return new Answer(answer, reported, clientGone, sent, received, fromModel, log);
  }

  /** The error the answer ends the turn with, or null: the visitor left, or the model failed. */
  ParleyException error() {
    return clientGone ? CLIENT_GONE : reported;
  }

  String content() {
    return answer == null ? "" : answer.getString(Fields.CONTENT, "");
  }
}
