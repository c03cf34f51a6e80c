package dev.parley.http;

import dev.parley.common.Hashes;
import dev.parley.common.SecretStrength;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The admin bearer token. It comes from {@code PARLEY_ADMIN_TOKEN}, which must pass {@link SecretStrength}
 * (Parley refuses to start otherwise, saying why); without it, a token is
 * generated on first start, only its SHA-256 is kept (in {@code admin-token.sha256} in the
 * data folder) and the token itself is shown once on the terminal. Tokens are compared by
 * hash with a constant-time comparison. Once owners sign in with their own accounts, the token can be retired with
 * {@code http.admin_token_disabled: true} ({@code PARLEY_ADMIN_TOKEN_DISABLED=true}): it is then refused, and
 * none is generated.
 */
public final class AdminToken {

  public static final String CONFIG_KEY = "admin_token_sha256";
  private static final String FILE = "admin-token.sha256";

  private final byte[] expectedHash;

  AdminToken(String expectedHashHex) {
    this.expectedHash = HexFormat.of().parseHex(expectedHashHex);
  }

  /** Whether {@code presented} is the admin token; takes the same time whatever it is. */
  boolean matches(String presented) {
    byte[] hash = Hashes.sha256(presented.getBytes(StandardCharsets.UTF_8));
    return MessageDigest.isEqual(hash, expectedHash);
  }

  /** The hex SHA-256 of the admin token, creating the token on first start. */
  public static Future<String> resolve(Vertx vertx, JsonObject config) {
    if (disabled(config.getJsonObject("http"))) {
      // retired: nothing is generated or shown, and the hash of a random value that no one knows stands in
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      return Future.succeededFuture(Hashes.sha256Hex(random));
    }
    String configured = config.getString("admin_token");
    if (configured != null && !configured.isBlank()) {
      String weakness = SecretStrength.weakness("PARLEY_ADMIN_TOKEN (admin_token)", configured.strip());
      return weakness != null
          ? Future.failedFuture(new IllegalStateException(weakness + ", or unset it to have one generated"))
          : Future.succeededFuture(hashHex(configured.strip()));
    }
    Path file = Path.of(config.getString("data_dir", "./data"), FILE);
    return vertx.executeBlocking(() -> {
      if (Files.exists(file)) {
        return Files.readString(file).strip();
      }
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String token = "pa_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      String hash = hashHex(token);
      Files.createDirectories(file.getParent());
      Files.writeString(file, hash + "\n");
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // the hash is not secret enough to refuse to start over
      }
      announce(token, file);
      return hash;
    });
  }

  /** Whether the bootstrap token is retired ({@code http.admin_token_disabled}, {@code PARLEY_ADMIN_TOKEN_DISABLED}). */
  static boolean disabled(JsonObject http) {
    return http != null && Boolean.TRUE.equals(http.getValue("admin_token_disabled"));
  }

  static String hashHex(String token) {
    return Hashes.sha256Hex(token);
  }

  /**
   * Shows the generated token once. It goes to the terminal, not to a logger: log files are
   * kept and shipped, and a secret must never be in them.
   */
  @SuppressWarnings("java:S106")
  private static void announce(String token, Path file) {
    System.out.println();
    System.out.println("  Parley admin token (shown once; only its hash is kept in " + file + "):");
    System.out.println();
    System.out.println("      " + token);
    System.out.println();
    System.out.println("  Set PARLEY_ADMIN_TOKEN to choose your own, or delete that file to get a new one.");
    System.out.println();
  }
}
