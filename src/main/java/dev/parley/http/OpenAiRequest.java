package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Hashes;
import dev.parley.common.ParleyException;
import dev.parley.common.UnicodeText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A {@code POST /v1/chat/completions} body read into what a chat turn needs: the last message (the caller's end user
 * speaking: it must be a {@code user} message), the messages before it as the history ({@code user} and
 * {@code assistant}; {@code system} and {@code developer} messages are left out, since the bot's own prompt is the one
 * that applies), {@code stream}, {@code stream_options.include_usage} and {@code user}. Text content may be a string
 * or an array of {@code {type: "text", text}} parts. Sampling fields ({@code temperature}, {@code max_tokens}…) are
 * accepted and ignored: the bot's settings apply. Tool calls, tool results and non-text parts are refused (400,
 * {@code param} naming the field), as is a body without {@code model} or {@code messages}.
 */
record OpenAiRequest(String model, String message, JsonArray history, boolean stream, boolean includeUsage,
    String user) {

  static final int MAX_MESSAGES = 1_000;
  static final int MAX_USER_CHARS = 256;

  static OpenAiRequest of(JsonObject body) {
    if (!(body.getValue("model") instanceof String model) || model.isBlank()) {
      throw bad("model", "'model' must be the id of a bot this key opens");
    }
    if (!(body.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()
        || messages.size() > MAX_MESSAGES) {
      throw bad("messages", "'messages' must be an array of 1 to " + MAX_MESSAGES + " messages");
    }
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw bad("stream", "'stream' must be true or false");
    }
    Object options = body.getValue("stream_options");
    if (options != null && !(options instanceof JsonObject)) {
      throw bad("stream_options", "'stream_options' must be an object");
    }
    Object user = body.getValue("user");
    if (user != null && (!(user instanceof String text) || text.length() > MAX_USER_CHARS)) {
      throw bad("user", "'user' must be a string of at most " + MAX_USER_CHARS + " characters");
    }
    if (body.getValue("tools") instanceof JsonArray tools && !tools.isEmpty()) {
      throw bad("tools", "A bot's tools are its own: 'tools' cannot be sent");
    }
    JsonArray history = new JsonArray();
    String last = null;
    for (int i = 0; i < messages.size(); i++) {
      String param = "messages[" + i + "]";
      if (!(messages.getValue(i) instanceof JsonObject item) || !(item.getValue("role") instanceof String role)) {
        throw bad(param, param + " must be an object with a 'role'");
      }
      if (item.getValue("tool_calls") != null || role.equals("tool") || role.equals("function")) {
        throw bad(param, "Tool calls and tool results cannot be sent: the bot runs its own tools");
      }
      if (!role.equals("user") && !role.equals("assistant") && !role.equals("system") && !role.equals("developer")) {
        throw bad(param + ".role", "Unknown role '" + clip(role) + "'");
      }
      String content = text(item.getValue("content"), param + ".content");
      if (i == messages.size() - 1) {
        if (!role.equals("user")) {
          throw bad(param, "The last message must be the user's");
        }
        last = content;
      } else if (role.equals("user") || role.equals("assistant")) {
        history.add(new JsonObject().put(Fields.ROLE, role).put(Fields.CONTENT, content));
      }
    }
    boolean includeUsage = options instanceof JsonObject o && Boolean.TRUE.equals(o.getValue("include_usage"));
    return new OpenAiRequest(model, last, history, Boolean.TRUE.equals(stream), includeUsage, (String) user);
  }

  /**
   * The session the turns of one key and end user are stored in (one per key when no {@code user} is named): the
   * conversation log groups a caller's turns the way its end users had them.
   */
  String sessionId(String keyId) {
    return "api-" + Hashes.sha256Hex(keyId + "|" + (user == null ? "" : user)).substring(0, 32);
  }

  private static String text(Object content, String param) {
    if (content instanceof String text) {
      return text;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < parts.size(); i++) {
        if (!(parts.getValue(i) instanceof JsonObject part) || !"text".equals(part.getValue("type"))
            || !(part.getValue("text") instanceof String piece)) {
          throw bad(param + "[" + i + "]", "Only text parts can be sent");
        }
        text.append(text.length() == 0 ? "" : "\n").append(piece);
      }
      return text.toString();
    }
    throw bad(param, param + " must be a string or an array of text parts");
  }

  /** A 400 naming the field, as OpenAI answers a malformed body ({@code param}). */
  private static ParleyException bad(String param, String message) {
    return new ParleyException(ErrorCodes.BAD_REQUEST, "invalid_request", message, param, 0);
  }

  private static String clip(String text) {
    return text.length() > 40 ? UnicodeText.prefix(text, 40) + "…" : text;
  }
}
