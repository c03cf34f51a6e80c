package dev.parley.common;

/**
 * Failure codes carried by {@link io.vertx.core.eventbus.ReplyException}s. They are HTTP
 * statuses on purpose, so the HTTP layer maps a recipient failure to its status unchanged.
 */
public final class ErrorCodes {

  public static final int BAD_REQUEST = 400;
  public static final int UNAUTHORIZED = 401;
  public static final int FORBIDDEN = 403;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  public static final int PAYLOAD_TOO_LARGE = 413;
  public static final int UNSUPPORTED_MEDIA_TYPE = 415;
  public static final int UNPROCESSABLE = 422;
  public static final int TOO_MANY_REQUESTS = 429;
  /** The client went away before the answer was complete (nginx's 499); never sent, since nobody is listening. */
  public static final int CLIENT_CLOSED_REQUEST = 499;
  public static final int INTERNAL = 500;
  public static final int BAD_GATEWAY = 502;
  public static final int UNAVAILABLE = 503;
  public static final int GATEWAY_TIMEOUT = 504;

  /**
   * 503: the node running the provider step stopped sending heartbeats (killed, frozen or cut off) before
   * it answered; sending the message again reaches another node ({@link Heartbeats}).
   */
  public static final String PROVIDER_NODE_LOST = "provider_node_lost";
  /** 503: the same for any other component's request. */
  public static final String NODE_LOST = "node_lost";
  /** 400: a JSON string of the request holds a lone surrogate (not Unicode text; UTF-8 cannot carry it). */
  public static final String INVALID_TEXT = "invalid_text";

  private ErrorCodes() {
  }
}
