package dev.parley.chat;

import io.vertx.core.json.JsonArray;

/**
 * Who a turn is for, as the HTTP edge established it (never read from the visitor's body): a visitor of the chat page
 * or widget ({@link #WEB}), whose history memory keeps, or an API client ({@link #api}) that sends the conversation
 * itself, as with OpenAI, naming its end user if it likes. Its turns are stored like any other, on channel
 * {@code api}.
 *
 * @param channel {@code web} or {@code api}
 * @param history the messages before this one ({@code {role, content}}, oldest first) when the caller sends them;
 *     null: memory's history of the session
 * @param user the caller's name for its end user, or null
 */
public record Caller(String channel, JsonArray history, String user) {

  public static final Caller WEB = new Caller("web", null, null);

  /** An API client that sent {@code history} itself, for its end user {@code user} (may be null). */
  public static Caller api(JsonArray history, String user) {
    return new Caller("api", history == null ? new JsonArray() : history, user);
  }

  /** Whether the caller sends the conversation, so memory's history of the session is not used. */
  boolean stateless() {
    return history != null;
  }
}
