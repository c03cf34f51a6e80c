package dev.parley.common;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * SHA-256, the one digest Parley uses: the admin token is kept and compared as its hash, a document's
 * content hash tells a changed page from an unchanged one, and a passphrase given as the secret key is
 * stretched to the 32 bytes of an AES key.
 */
public final class Hashes {

  private Hashes() {
  }

  public static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** The SHA-256 of {@code input} in lower-case hex. */
  public static String sha256Hex(byte[] input) {
    return HexFormat.of().formatHex(sha256(input));
  }

  /** The SHA-256 of {@code text}'s UTF-8 bytes in lower-case hex. */
  public static String sha256Hex(String text) {
    return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }
}
