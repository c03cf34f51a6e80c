package dev.parley.http;

import dev.parley.common.Ids;
import dev.parley.common.ParleyException;

/**
 * Where a visitor channel resumes, as its events' {@code id:} lines write it and a client sends it back
 * ({@code Last-Event-ID}, else {@code ?after=}): {@code <n>}, the id of the last event of the conversation's log it
 * got, or {@code <n>:<message_id>:<offset>} in the middle of a bot answer, of which it got {@code offset} characters.
 */
record ChannelCursor(long after, String messageId, int offset) {

  static final ChannelCursor START = new ChannelCursor(0, null, 0);

  /** The cursor {@code text} names (the start for none); 400 {@code invalid_cursor} for anything else. */
  static ChannelCursor parse(String text) {
    if (text == null || text.isBlank()) {
      return START;
    }
    String[] parts = text.strip().split(":", -1);
    try {
      long after = Long.parseLong(parts[0]);
      if (after < 0 || parts.length != 1 && parts.length != 3) {
        throw invalid();
      }
      if (parts.length == 1) {
        return new ChannelCursor(after, null, 0);
      }
      int offset = Integer.parseInt(parts[2]);
      if (!Ids.isEntityId(parts[1]) || offset < 0) {
        throw invalid();
      }
      return new ChannelCursor(after, parts[1], offset);
    } catch (NumberFormatException bad) {
      throw invalid();
    }
  }

  /** The cursor after {@code count} characters of the answer {@code message} (log events up to {@code after}). */
  static String inAnswer(long after, String message, int count) {
    return after + ":" + message + ":" + count;
  }

  private static ParleyException invalid() {
    return ParleyException.badRequest("invalid_cursor",
        "Last-Event-ID and 'after' must be an event id this channel sent (a number, or number:message:offset)");
  }
}
