package dev.parley.provider;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Incremental parser for {@code text/event-stream} (the WHATWG server-sent events rules).
 * Feed it the body as it arrives, in chunks of any size: lines are cut at the byte level
 * (LF and CR never occur inside a multi-byte UTF-8 sequence), so an event or a character
 * split across TCP chunks is reassembled before it is decoded. Lines end in LF, CRLF or CR;
 * {@code :} lines are comments; {@code data:} lines accumulate; a blank line dispatches.
 * Not thread-safe: use it from the connection's context.
 */
public final class SseParser {

  /** A line longer than this is no event stream we want to buffer. */
  static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

  private final Consumer<SseEvent> sink;
  private byte[] line = new byte[256];
  private int length;
  private boolean afterCr;
  private boolean firstLine = true;
  private String eventType;
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private String lastId;

  public SseParser(Consumer<SseEvent> sink) {
    this.sink = sink;
  }

  public void feed(Buffer chunk) {
    feed(chunk.getBytes());
  }

  public void feed(byte[] bytes) {
    for (byte b : bytes) {
      if (b == '\n') {
        if (afterCr) {
          afterCr = false;
          continue;
        }
        endLine();
      } else if (b == '\r') {
        endLine();
        afterCr = true;
      } else {
        afterCr = false;
        append(b);
      }
    }
  }

  /** The body ended: a last line without its terminator counts, and a pending event is dispatched. */
  public void end() {
    if (length > 0) {
      endLine();
    }
    dispatch();
  }

  private void append(byte b) {
    if (length == line.length) {
      if (length >= MAX_LINE_BYTES) {
        throw ProviderFailure.protocol("event stream line too long");
      }
      line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, length * 2));
    }
    line[length++] = b;
  }

  private void endLine() {
    int start = 0;
    if (firstLine) {
      firstLine = false;
      if (length >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
        start = 3;
      }
    }
    String text = new String(line, start, length - start, StandardCharsets.UTF_8);
    length = 0;
    if (line.length > 64 * 1024) {
      line = new byte[256];
    }
    processLine(text);
  }

  private void processLine(String text) {
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.charAt(0) == ':') {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> eventType = value;
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          lastId = value;
        }
      }
      default -> {
        // "retry" and unknown fields are ignored
      }
    }
  }

  private void dispatch() {
    if (!hasData) {
      eventType = null;
      return;
    }
    SseEvent event = new SseEvent(eventType == null || eventType.isEmpty() ? "message" : eventType, data.toString(), lastId);
    eventType = null;
    data.setLength(0);
    hasData = false;
    sink.accept(event);
  }
}
