package dev.parley.common;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Identifier generation, and the one owner of Parley's id rules: what a session id, a stored entity's id
 * and a request id may look like, and what a caller is told when one is malformed. Every edge (HTTP path,
 * JSON body, bus message) checks ids here, so the rules cannot drift apart.
 */
public final class Ids {

  /**
   * A stored entity's id (bot, document, conversation, message, user): 1 to 64 letters, digits, '-' or '_'.
   * Public for route patterns, which must accept exactly what {@link #isEntityId} does.
   */
  public static final String ENTITY_ID_REGEX = "[A-Za-z0-9_-]{1,64}";
  /** The error code of a malformed session id (400). */
  public static final String INVALID_SESSION_ID = "invalid_session_id";

  private static final String SESSION_ID_RULE = "'session_id' must be 8 to 64 letters, digits, '-' or '_'";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private Ids() {
  }

  /** A 128-bit random UUID: session ids, and ids not kept under a database index ({@link #ordered} for those). */
  public static String uuid() {
    return UUID.randomUUID().toString();
  }

  /**
   * A UUID whose first 48 bits are the time in milliseconds (RFC 9562 version 7) and 74 bits random: for rows kept
   * under a unique index (messages, conversations), which such ids fill in order where random ones touch a
   * different index page each. As unguessable as {@link #uuid} needs (74 random bits from {@link SecureRandom}).
   */
  public static String ordered() {
    return ordered(System.currentTimeMillis());
  }

  static String ordered(long millis) {
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    long high = (millis << 16) | 0x7000L | ((random[0] & 0x0fL) << 8) | (random[1] & 0xffL);
    long low = 0x8000000000000000L | ((random[2] & 0x3fL) << 56);
    for (int i = 3; i < 10; i++) {
      low |= (random[i] & 0xffL) << (8 * (9 - i));
    }
    return new UUID(high, low).toString();
  }

  /** A short random id with a type prefix, e.g. {@code bot_3k9x...}: about 103 random bits. */
  public static String prefixed(String prefix) {
    char[] out = new char[20];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return prefix + "_" + new String(out);
  }

  /**
   * {@code count} ids of {@link #prefixed} in ascending order, for rows made at the same millisecond and listed by
   * time, then id: they keep the order they were made in (an upload's files, a sitemap's pages).
   */
  public static java.util.List<String> prefixedInOrder(String prefix, int count) {
    java.util.List<String> ids = new java.util.ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(prefixed(prefix));
    }
    java.util.Collections.sort(ids);
    return ids;
  }

  /** Whether {@code value} is a well-formed session id: 8 to 64 letters, digits, '-' or '_'. */
  public static boolean isSessionId(String value) {
    return made(value, 8, false);
  }

  /** Whether a path id could name anything we store (anything else is simply not found). */
  public static boolean isEntityId(String value) {
    return made(value, 1, false);
  }

  /** Whether a client's {@code X-Request-Id} may be taken as it is (else the request gets a new one). */
  public static boolean isRequestId(String value) {
    return made(value, 1, true);
  }

  /**
   * Whether {@code value} is {@code least} to 64 ASCII letters, digits, '-' or '_' (and '.' when {@code dots}): the
   * patterns above, checked without a regular expression (ids are checked several times a turn).
   */
  private static boolean made(String value, int least, boolean dots) {
    if (value == null || value.length() < least || value.length() > 64) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || (dots && c == '.'))) {
        return false;
      }
    }
    return true;
  }

  /** {@code value} when it is a well-formed session id; otherwise a 400 {@code invalid_session_id}. */
  public static String requireSessionId(Object value) {
    if (value instanceof String id && isSessionId(id)) {
      return id;
    }
    throw ParleyException.badRequest(INVALID_SESSION_ID, SESSION_ID_RULE);
  }

  /**
   * The session of a chat turn: a new one when the body names none, the one it names when well-formed,
   * otherwise a 400 {@code invalid_session_id}.
   */
  public static String sessionIdOrNew(Object value) {
    return value == null ? uuid() : requireSessionId(value);
  }

  /** {@code value} when it could name a stored {@code what}; otherwise a 404 ("{@code what} not found"). */
  public static String requireEntityId(String value, String what) {
    if (!isEntityId(value)) {
      throw ParleyException.notFound(what);
    }
    return value;
  }
}
