package dev.parley.common;

import io.vertx.core.json.JsonObject;

/**
 * The messages of a streamed answer on its {@code stream_address}, sent in order by one sender (the bus keeps
 * the order of one sender's messages to one address): zero or more {@code {type:"delta", seq, text}}, then
 * exactly one {@code {type:"done", …the answer}} or {@code {type:"error", status, error}}. The end travels on
 * the stream address, behind the deltas, so a receiver never waits for deltas that the end overtook.
 */
public final class StreamEvents {

  public static final String DELTA = "delta";
  public static final String DONE = "done";
  public static final String ERROR = "error";
  private static final String STATUS = "status";

  private StreamEvents() {
  }

  public static JsonObject delta(int seq, String text) {
    return new JsonObject().put(Fields.TYPE, DELTA).put(Fields.SEQ, seq).put(Fields.TEXT, text);
  }

  /** The answer as the stream's last message (a copy of {@code answer} with its type). */
  public static JsonObject done(JsonObject answer) {
    return answer.copy().put(Fields.TYPE, DONE);
  }

  /** A failure as the stream's last message, with what it spent ({@link ParleyException#toBusJson()}). */
  public static JsonObject error(ParleyException failure) {
    return new JsonObject().put(Fields.TYPE, ERROR).put(STATUS, failure.status()).put(ERROR, failure.toBusJson());
  }

  public static String type(JsonObject event) {
    return event.getValue(Fields.TYPE) instanceof String type ? type : "";
  }

  /** The answer a {@code done} message carries, without its type. */
  public static JsonObject answer(JsonObject done) {
    JsonObject answer = done.copy();
    answer.remove(Fields.TYPE);
    return answer;
  }

  /** The failure an {@code error} message carries. */
  public static ParleyException failure(JsonObject error) {
    int status = error.getValue(STATUS) instanceof Number n ? n.intValue() : ErrorCodes.BAD_GATEWAY;
    JsonObject json = error.getValue(ERROR) instanceof JsonObject e ? e : new JsonObject();
    return ParleyException.fromJson(status, json);
  }
}
