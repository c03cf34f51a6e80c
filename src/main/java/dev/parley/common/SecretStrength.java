package dev.parley.common;

import java.util.HashMap;
import java.util.Map;

/**
 * The rule for secrets an operator chooses (the admin token, a {@code PARLEY_SECRET_KEY} passphrase): at least
 * {@value #MIN_CHARS} characters and about {@value #MIN_BITS} bits by the character counts of the secret itself
 * (its length times the Shannon entropy of its characters), so {@code admin}, {@code change-me} or a character
 * repeated are refused while a random hex or base64 string, or a long passphrase, pass. It catches the weak and the
 * repeated; it cannot tell a random string from a well-known one.
 */
public final class SecretStrength {

  public static final int MIN_CHARS = 24;
  public static final int MIN_BITS = 80;
  private static final String HOW = "use a random value, e.g. the output of `openssl rand -hex 32`";

  private SecretStrength() {
  }

  /** Why {@code secret} (named {@code what} in the message) is too weak, or null when it is strong enough. */
  public static String weakness(String what, String secret) {
    int length = secret.codePointCount(0, secret.length());
    if (length < MIN_CHARS) {
      return what + " is too short: " + length + " characters, at least " + MIN_CHARS + " are needed; " + HOW;
    }
    double bits = estimatedBits(secret);
    if (bits < MIN_BITS) {
      return what + " is too predictable (too few different characters, or some repeated): about " + Math.round(bits)
          + " bits, at least " + MIN_BITS + " are needed; " + HOW;
    }
    return null;
  }

  /** Length times the entropy per character of the secret's own character frequencies. */
  static double estimatedBits(String secret) {
    Map<Integer, Integer> counts = new HashMap<>();
    secret.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
    double length = secret.codePointCount(0, secret.length());
    double perChar = 0;
    for (int count : counts.values()) {
      double p = count / length;
      perChar -= p * Math.log(p) / Math.log(2);
    }
    return perChar * length;
  }
}
