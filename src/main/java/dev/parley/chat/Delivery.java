package dev.parley.chat;

import dev.parley.common.ParleyException;

/**
 * How a turn's answer reaches the visitor: the only difference between a JSON turn and a streamed one. A JSON
 * delivery answers once, with the reply or the error; a streamed one is {@link #open opened} before the model
 * is asked, gets each piece of the answer as it is written, and notices when its visitor leaves. The HTTP edge
 * implements it; the pipeline calls {@link #reply}, {@link #held} or {@link #fail} exactly once, last.
 */
public interface Delivery {

  /** Whether the visitor is sent the answer as it is written, rather than once it is complete. */
  boolean streams();

  /** A streamed answer is about to start: the visitor learns the turn's session and the answer's message id. */
  void open(String sessionId, String messageId);

  /** A piece of a streamed answer. */
  void delta(String text);

  /**
   * A tool call of the turn started or ended ({@code status} started, done or failed), told to the visitor by its
   * {@code label}; its arguments and result are never sent. A JSON delivery ignores it.
   */
  default void tool(String name, String label, String status) {
  }

  /** Runs {@code action} once the visitor has gone before the end (at once if already gone; never for JSON). */
  void onGone(Runnable action);

  boolean gone();

  void reply(ChatReply reply);

  /**
   * The visitor's message was stored for the people who have the conversation, and no model was asked:
   * {@code {message_id, session_id, state}} (HTTP 202, or one {@code state} event).
   */
  void held(io.vertx.core.json.JsonObject reply);

  /** The turn failed with {@code error} (as the turn stored it; what the visitor sees is {@link VisitorErrors}'s). */
  void fail(ParleyException error);
}
