package dev.parley.chat;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The visitor's request within the bot's limits: a well-formed {@code session_id} (a new one when none is sent),
 * a non-empty {@code message} of at most the bot's {@code max_message_chars} (413 beyond) with no NUL, and a
 * {@code stream} flag that is true or false when sent (checked in this order). Before anything is stored or any
 * model called.
 */
final class MessageLimits implements Step {

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    String sessionId = Ids.sessionIdOrNew(turn.input().getValue(Fields.SESSION_ID));
    String message = message(turn.input(), turn.bot());
    Object stream = turn.input().getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw ParleyException.badRequest("invalid_stream", "'stream' must be true or false");
    }
    return Future.succeededFuture(turn.withVisitor(sessionId, message));
  }

  private static String message(JsonObject body, JsonObject bot) {
    Object value = body.getValue("message");
    if (!(value instanceof String message) || message.isBlank()) {
      throw ParleyException.badRequest("invalid_message", "'message' must be a non-empty string");
    }
    int limit = bot.getInteger("max_message_chars", 4_000);
    if (message.codePointCount(0, message.length()) > limit) {
      throw new ParleyException(ErrorCodes.PAYLOAD_TOO_LARGE, "message_too_long",
          "The message is longer than this bot's limit of " + limit + " characters");
    }
    if (message.indexOf('\u0000') >= 0) {
      throw ParleyException.badRequest("invalid_message", "'message' must not contain NUL characters");
    }
    return message;
  }
}
