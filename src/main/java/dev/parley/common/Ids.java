package dev.parley.common;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.regex.Pattern;

/** Identifier generation and validation. */
public final class Ids {

  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{8,64}");
  private static final Pattern ENTITY_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private Ids() {
  }

  /** A 128-bit random UUID, used for sessions, conversations and messages. */
  public static String uuid() {
    return UUID.randomUUID().toString();
  }

  /** A short random id with a type prefix, e.g. {@code bot_3k9x...}: about 103 random bits. */
  public static String prefixed(String prefix) {
    char[] out = new char[20];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return prefix + "_" + new String(out);
  }

  public static boolean isSessionId(String value) {
    return value != null && SESSION_ID.matcher(value).matches();
  }

  /** Whether a path id could name anything we store (anything else is simply not found). */
  public static boolean isEntityId(String value) {
    return value != null && ENTITY_ID.matcher(value).matches();
  }
}
