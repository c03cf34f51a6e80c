package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for provider API keys at rest. The master key comes from {@code secret_key}
 * (env {@code PARLEY_SECRET_KEY}: 32 bytes in base64, or a passphrase, which is hashed to
 * 32 bytes; either must pass {@link SecretStrength}, or loading fails saying why) or from {@code secret.key} in the data folder, generated on first start.
 * Ciphertexts are {@code v1:} + base64(nonce ‖ ciphertext ‖ tag) and are bound to the bot id
 * (associated data), so a key copied onto another bot does not decrypt.
 */
public final class SecretBox {

  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final int MEMO_SIZE = 1_024;

  private final SecretKeySpec key;
  /** Recently decrypted keys: decrypting on every turn cost a few percent of a turn's CPU. */
  private final Map<String, String> decrypted = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > MEMO_SIZE;
    }
  };

  private SecretBox(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /** Loads (or on first start creates) the master key; file access runs off the event loop. */
  public static Future<SecretBox> load(Vertx vertx, JsonObject config) {
    String configured = config.getString("secret_key");
    String dataDir = config.getString("data_dir", "./data");
    return vertx.executeBlocking(() -> new SecretBox(configured != null && !configured.isBlank()
        ? fromConfigured(configured)
        : fromFile(Path.of(dataDir, "secret.key"))));
  }

  public static SecretBox ofKey(byte[] key) {
    return new SecretBox(key.clone());
  }

  public String encrypt(String plaintext, String boundTo) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[nonce.length + sealed.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** Decrypts, or fails with a safe error (the master key changed, or the value was tampered with). */
  public String decrypt(String ciphertext, String boundTo) {
    String memo = boundTo + '\n' + ciphertext;
    synchronized (decrypted) {
      String plain = decrypted.get(memo);
      if (plain != null) {
        return plain;
      }
    }
    String plain = open(ciphertext, boundTo);
    synchronized (decrypted) {
      decrypted.put(memo, plain);
    }
    return plain;
  }

  /**
   * Decrypts without keeping the plain text for the next call: for a one-time secret, which {@link #decrypt}'s memo
   * would keep in memory after its use.
   */
  public String decryptOnce(String ciphertext, String boundTo) {
    return open(ciphertext, boundTo);
  }

  private String open(String ciphertext, String boundTo) {
    try {
      if (ciphertext == null || !ciphertext.startsWith(PREFIX)) {
        throw new GeneralSecurityException("unknown format");
      }
      byte[] in = Base64.getDecoder().decode(ciphertext.substring(PREFIX.length()));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new ParleyException(ErrorCodes.INTERNAL, "secret_unreadable",
          "The bot's API key cannot be decrypted: was PARLEY_SECRET_KEY changed? Set the key again.");
    }
  }

  /**
   * A 32-byte key for {@code purpose} (HMAC-SHA256 of the purpose under the master key), so that other uses of the
   * master key, such as signing audit-log cursors, never use the encryption key itself.
   */
  public byte[] derive(String purpose) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
      return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** A masked hint for an API key: its last four characters only. */
  public static String hint(String apiKey) {
    if (apiKey.length() < 12) {
      return "****";
    }
    return "****" + apiKey.substring(apiKey.length() - 4);
  }

  private static byte[] fromConfigured(String configured) {
    String weakness = SecretStrength.weakness("PARLEY_SECRET_KEY (secret_key)", configured.trim());
    if (weakness != null) {
      throw new IllegalStateException(weakness + " (or `openssl rand -base64 32`), or unset it to have a key file "
          + "generated; API keys saved under the old key must then be entered again");
    }
    try {
      byte[] decoded = Base64.getDecoder().decode(configured.trim());
      if (decoded.length == 32) {
        return decoded;
      }
    } catch (IllegalArgumentException notBase64) {
      // a passphrase: hashed below
    }
    return Hashes.sha256(configured.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] fromFile(Path file) throws IOException {
    if (Files.exists(file)) {
      byte[] decoded = Base64.getDecoder().decode(Files.readString(file).trim());
      if (decoded.length != 32) {
        throw new IOException("The key file " + file + " does not hold a 32-byte base64 key");
      }
      return decoded;
    }
    Files.createDirectories(file.getParent());
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    // the components of a first start load the key at once: each writes its own temporary file in full, and only the
    // first link to the key file's name wins (link(2) fails when the name exists); the others read the winner's key
    Path tmp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
    try {
      restrict(tmp);
      Files.writeString(tmp, Base64.getEncoder().encodeToString(key));
      try {
        Files.createLink(file, tmp);
      } catch (UnsupportedOperationException noLinks) {
        Files.move(tmp, file);
      }
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      return fromFile(file);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return key;
  }

  static void restrict(Path file) {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException notPosix) {
      // best effort on file systems without POSIX permissions
    }
  }
}
