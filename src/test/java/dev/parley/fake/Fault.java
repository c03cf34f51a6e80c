package dev.parley.fake;

/**
 * One injected failure for a fake model server. Faults are queued with
 * {@link FakeModelServer#enqueue(Fault)} and consumed first in, first out, one per incoming
 * request; a request that finds no queued fault is answered normally.
 */
public final class Fault {

  /** What the fault does. */
  public enum Kind {
    STATUS, INSUFFICIENT_QUOTA, DELAY, STALL, STALL_AFTER_CHUNKS, RESET_AFTER_CHUNKS,
    MALFORMED_JSON, IN_BAND_ERROR, KEY_ECHO, TRUNCATE_AFTER_CHUNKS, MALFORMED_SSE,
    SPEND_LIMIT, ENDLESS, IN_BAND_ERROR_AFTER_CHUNKS
  }

  private final Kind kind;
  private final int status;
  private final String retryAfter;
  private final long delayMs;
  private final int chunks;

  private Fault(Kind kind, int status, String retryAfter, long delayMs, int chunks) {
    this.kind = kind;
    this.status = status;
    this.retryAfter = retryAfter;
    this.delayMs = delayMs;
    this.chunks = chunks;
  }

  /** An error status with the vendor's error body (429 is a rate limit, 529 Anthropic's overload). */
  public static Fault status(int code) {
    return new Fault(Kind.STATUS, code, null, 0, 0);
  }

  /** An error status with a {@code Retry-After} header (seconds, as the vendors send it). */
  public static Fault status(int code, String retryAfterSeconds) {
    return new Fault(Kind.STATUS, code, retryAfterSeconds, 0, 0);
  }

  /**
   * The account is out of credit: OpenAI answers 429 {@code insufficient_quota}; Anthropic
   * answers 400 {@code invalid_request_error} "Your credit balance is too low…".
   */
  public static Fault insufficientQuota() {
    return new Fault(Kind.INSUFFICIENT_QUOTA, 0, null, 0, 0);
  }

  /**
   * The organisation's spend limit is reached: Anthropic answers 400 {@code invalid_request_error} "You have
   * reached your specified API usage limits…"; OpenAI the same as {@link #insufficientQuota()}.
   */
  public static Fault spendLimit() {
    return new Fault(Kind.SPEND_LIMIT, 0, null, 0, 0);
  }

  /**
   * An answer that never ends: a stream sends content deltas until the connection closes (one per
   * {@code chunkDelayMs}, as fast as the socket takes them when that is 0); a JSON answer is a 200 whose
   * {@code content} string keeps growing and never closes.
   */
  public static Fault endless() {
    return new Fault(Kind.ENDLESS, 0, null, 0, 0);
  }

  /** Stream: sends the opening events and {@code n} content deltas, then an error event (an overload), and ends. */
  public static Fault inBandErrorAfterChunks(int n) {
    return new Fault(Kind.IN_BAND_ERROR_AFTER_CHUNKS, 0, null, 0, n);
  }

  /** Answers normally, after a delay. */
  public static Fault delay(long ms) {
    return new Fault(Kind.DELAY, 0, null, ms, 0);
  }

  /** Non-stream: never answers. Stream: sends the headers and the first event, then nothing. */
  public static Fault stall() {
    return new Fault(Kind.STALL, 0, null, 0, 0);
  }

  /** Stream: sends the opening events and {@code n} content deltas, then nothing. */
  public static Fault stallAfterChunks(int n) {
    return new Fault(Kind.STALL_AFTER_CHUNKS, 0, null, 0, n);
  }

  /** Stream: closes the TCP connection abruptly after {@code n} content deltas (non-stream: at once). */
  public static Fault resetAfterChunks(int n) {
    return new Fault(Kind.RESET_AFTER_CHUNKS, 0, null, 0, n);
  }

  /** A 200 whose JSON body is cut off, or a stream with a broken {@code data:} line. */
  public static Fault malformedJson() {
    return new Fault(Kind.MALFORMED_JSON, 0, null, 0, 0);
  }

  /**
   * Stream: sends the opening events and {@code n} content deltas, then ends the response cleanly
   * without the vendor's terminator ({@code [DONE]}, {@code message_stop}). Non-stream: answers normally.
   */
  public static Fault truncateAfterChunks(int n) {
    return new Fault(Kind.TRUNCATE_AFTER_CHUNKS, 0, null, 0, n);
  }

  /**
   * A 200 whose body is not what was asked for: an HTML error page, sent as {@code text/event-stream}
   * to a stream request (no event in it) and as {@code text/html} otherwise, as a misbehaving proxy does.
   */
  public static Fault malformedSse() {
    return new Fault(Kind.MALFORMED_SSE, 0, null, 0, 0);
  }

  /** A 200 stream whose first event is an error in the vendor's format (an overload). */
  public static Fault inBandError() {
    return new Fault(Kind.IN_BAND_ERROR, 0, null, 0, 0);
  }

  /** A 401 whose body echoes the API key the server received, as some gateways do. */
  public static Fault keyEcho() {
    return new Fault(Kind.KEY_ECHO, 401, null, 0, 0);
  }

  public Kind kind() {
    return kind;
  }

  public int statusCode() {
    return status;
  }

  public String retryAfter() {
    return retryAfter;
  }

  public long delayMs() {
    return delayMs;
  }

  public int chunks() {
    return chunks;
  }

  @Override
  public String toString() {
    return "Fault[" + kind + (status > 0 ? " " + status : "") + (retryAfter != null ? " retry-after " + retryAfter : "")
        + (delayMs > 0 ? " " + delayMs + "ms" : "") + (chunks > 0 ? " after " + chunks : "") + "]";
  }
}
