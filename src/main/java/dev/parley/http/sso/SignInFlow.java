package dev.parley.http.sso;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Hashes;
import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * One sign-in in progress: the {@code state}, {@code nonce} and PKCE {@code verifier} made at
 * {@code /auth/oidc/login}. They travel in the browser's {@value #COOKIE} cookie sealed with the master key
 * (AES-GCM, {@link SecretBox}, bound to this purpose), so whichever node receives the callback can finish the
 * flow and nothing is stored server-side until then. The cookie is HttpOnly, SameSite=Lax (the provider's
 * redirect back is a top-level GET from another site), limited to {@code /auth/oidc} and lives
 * {@link #LIFETIME_SECONDS}; its expiry is also sealed inside, so an old cookie kept by hand is refused.
 */
record SignInFlow(String state, String nonce, String verifier, long expiresAtMillis) {

  static final String COOKIE = "parley_oidc";
  static final int LIFETIME_SECONDS = 600;
  private static final String PATH = "/auth/oidc";
  private static final String BOUND_TO = "parley.oidc.flow";
  private static final SecureRandom RANDOM = new SecureRandom();

  static SignInFlow fresh(long nowMillis) {
    return new SignInFlow(random(), random(), random(), nowMillis + LIFETIME_SECONDS * 1000L);
  }

  /** The PKCE S256 challenge of the verifier. */
  String codeChallenge() {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(Hashes.sha256(verifier.getBytes(StandardCharsets.US_ASCII)));
  }

  Cookie cookie(SecretBox box, boolean secure) {
    String sealed = box.encrypt(new JsonObject().put("s", state).put("n", nonce).put("v", verifier)
        .put("e", expiresAtMillis).encode(), BOUND_TO);
    return base(sealed, secure).setMaxAge(LIFETIME_SECONDS);
  }

  static Cookie cleared(boolean secure) {
    return base("", secure).setMaxAge(0);
  }

  /**
   * The flow this browser started ({@code sealed}: its cookie's value), checked against the {@code state} the provider sent back; a missing, forged,
   * expired or mismatched one is a 400 and never reaches the provider.
   */
  static SignInFlow resume(String sealed, String returnedState, SecretBox box, long nowMillis) {
    if (sealed == null || sealed.isEmpty()) {
      throw refused("sso_state_missing", "This sign-in was not started here, or took too long: start again");
    }
    SignInFlow flow;
    try {
      JsonObject json = new JsonObject(box.decrypt(sealed, BOUND_TO));
      flow = new SignInFlow(json.getString("s"), json.getString("n"), json.getString("v"), json.getLong("e"));
    } catch (RuntimeException forged) {
      throw refused("sso_state_invalid", "The sign-in state is not valid: start again");
    }
    if (flow.expiresAtMillis < nowMillis) {
      throw refused("sso_state_expired", "This sign-in took too long: start again");
    }
    if (returnedState == null || !MessageDigest.isEqual(returnedState.getBytes(StandardCharsets.UTF_8),
        flow.state.getBytes(StandardCharsets.UTF_8))) {
      throw refused("sso_state_mismatch", "The sign-in state does not match this browser: start again");
    }
    return flow;
  }

  private static Cookie base(String value, boolean secure) {
    return Cookie.cookie(COOKIE, value).setPath(PATH).setHttpOnly(true).setSecure(secure)
        .setSameSite(CookieSameSite.LAX);
  }

  private static ParleyException refused(String code, String message) {
    return new ParleyException(ErrorCodes.BAD_REQUEST, code, message);
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  @Override
  public String toString() {
    return "SignInFlow[expires_at=" + expiresAtMillis + "]";
  }
}
