package dev.parley.common;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The tokens Parley counts when a model call's real count is unknown: a stream stopped before the vendor's
 * usage arrived (OpenAI reports it only at the end), a compatible server that reports none, a custom
 * provider that says nothing. One token per four characters, rounded up: of the text sent (system prompt
 * and every message) for input, of the text received for output. It is the vendors' own rule of thumb for
 * English; it undercounts scripts with more tokens per character, so a budget is a cap, not an invoice.
 */
public final class TokenEstimate {

  private static final int CHARS_PER_TOKEN = 4;

  private TokenEstimate() {
  }

  /** Tokens for {@code chars} characters. */
  public static long ofChars(long chars) {
    return chars <= 0 ? 0 : (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
  }

  /** The characters a provider request sends: its {@code system} prompt and the content of each of its {@code messages}. */
  public static long promptChars(JsonObject request) {
    if (request == null) {
      return 0;
    }
    long chars = request.getValue(Fields.SYSTEM) instanceof String system ? system.length() : 0;
    if (request.getValue(Fields.MESSAGES) instanceof JsonArray messages) {
      for (Object item : messages) {
        if (item instanceof JsonObject message && message.getValue(Fields.CONTENT) instanceof String content) {
          chars += content.length();
        }
      }
    }
    return chars;
  }
}
