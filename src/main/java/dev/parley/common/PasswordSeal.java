package dev.parley.common;

import io.vertx.core.json.JsonObject;

/**
 * Password hashes on the event bus, sealed with the {@link SecretBox} every node shares ({@code PARLEY_SECRET_KEY}):
 * an Argon2id hash lets a weak password be guessed offline, so it never crosses the bus (or the network between
 * clustered nodes) in plain text. The HTTP edge hashes and checks passwords; the account component stores the hashes.
 */
public final class PasswordSeal {

  private static final String BOUND_TO = "parley.account.password_hash";

  private PasswordSeal() {
  }

  /** The hash sealed for the bus; null stays null. */
  public static String seal(SecretBox box, String hash) {
    return hash == null ? null : box.encrypt(hash, BOUND_TO);
  }

  /** The hash a bus message carried; null stays null; 500 when it cannot be opened (nodes with different keys). */
  public static String open(SecretBox box, String sealed) {
    if (sealed == null) {
      return null;
    }
    try {
      return box.decrypt(sealed, BOUND_TO);
    } catch (ParleyException unreadable) {
      throw new ParleyException(ErrorCodes.INTERNAL, "secret_unreadable",
          "A password hash on the event bus cannot be read: every node needs the same PARLEY_SECRET_KEY");
    }
  }

  /** A copy of {@code body} with its {@code password_hash} sealed (absent stays absent). */
  public static JsonObject sealed(SecretBox box, JsonObject body) {
    return body.getValue(Fields.PASSWORD_HASH) instanceof String hash
        ? body.copy().put(Fields.PASSWORD_HASH, seal(box, hash)) : body;
  }

  /** A copy of {@code body} with its {@code password_hash} opened (absent stays absent). */
  public static JsonObject opened(SecretBox box, JsonObject body) {
    return body.getValue(Fields.PASSWORD_HASH) instanceof String sealed
        ? body.copy().put(Fields.PASSWORD_HASH, open(box, sealed)) : body;
  }
}
