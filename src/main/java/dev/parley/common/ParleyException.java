package dev.parley.common;

import io.vertx.core.json.JsonObject;

/**
 * A failure that is safe to show to a client: an HTTP-like status, a snake_case code, a
 * human message, and optionally the offending field and a retry delay. It crosses the event
 * bus as a {@link io.vertx.core.eventbus.ReplyException} whose message is this object's JSON
 * ({@link #toBusJson()}). A failed model call also carries what it spent ({@link #spent()}), on the bus
 * only: {@link #toJson()}, what clients see, leaves it out.
 */
public class ParleyException extends RuntimeException {

  private final int status;
  private final String code;
  private final String field;
  private final long retryAfterSeconds;
  private JsonObject spent;

  public ParleyException(int status, String code, String message) {
    this(status, code, message, null, 0);
  }

  public ParleyException(int status, String code, String message, String field, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ParleyException badRequest(String code, String message) {
    return new ParleyException(ErrorCodes.BAD_REQUEST, code, message);
  }

  public static ParleyException invalid(String field, String message) {
    return new ParleyException(ErrorCodes.UNPROCESSABLE, "validation_failed", message, field, 0);
  }

  public static ParleyException notFound(String what) {
    return new ParleyException(ErrorCodes.NOT_FOUND, "not_found", what + " not found");
  }

  public static ParleyException internal() {
    return new ParleyException(ErrorCodes.INTERNAL, "internal_error", "Something went wrong on our side");
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String field() {
    return field;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** What the failed model call spent ({@link Fields#SPENT}), or null. */
  public JsonObject spent() {
    return spent;
  }

  /** A copy of this failure that carries what the failed model call spent (null: nothing). */
  public ParleyException withSpent(JsonObject spent) {
    ParleyException copy = new ParleyException(status, code, getMessage(), field, retryAfterSeconds);
    copy.spent = spent;
    return copy;
  }

  /** The JSON of a bus failure: {@link #toJson()} and, when there is one, the spend. */
  public JsonObject toBusJson() {
    JsonObject json = toJson();
    return spent == null ? json : json.put(Fields.SPENT, spent.copy());
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("code", code).put("message", getMessage());
    if (field != null) {
      json.put("field", field);
    }
    if (retryAfterSeconds > 0) {
      json.put("retry_after", retryAfterSeconds);
    }
    return json;
  }

  public static ParleyException fromJson(int status, JsonObject json) {
    ParleyException failure = new ParleyException(status, json.getString("code", "error"),
        json.getString("message", ""), json.getString("field"), json.getLong("retry_after", 0L));
    failure.spent = json.getValue(Fields.SPENT) instanceof JsonObject spent ? spent : null;
    return failure;
  }
}
