package dev.parley.http;

import dev.parley.common.Hashes;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The random values the admin hands out once (session ids, invites, API tokens): 256 bits with a prefix that says
 * what they are ({@code ps_}, {@code pi_}, {@code pt_}). Only their SHA-256 is sent on and stored.
 */
final class Secrets {

  static final String SESSION = "ps_";
  static final String INVITE = "pi_";
  static final String TOKEN = "pt_";
  private static final SecureRandom RANDOM = new SecureRandom();
  /** A path segment that is one of these values (an invite is a segment of its route: {@code /api/invites/pi_…}). */
  private static final Pattern IN_PATH = Pattern.compile("(?<=/)(p[iskt]_)[A-Za-z0-9_-]+");

  private Secrets() {
  }

  static String make(String prefix) {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  static String hash(String secret) {
    return Hashes.sha256Hex(secret);
  }

  /** What a list shows of a token: its prefix and first characters, too few to guess the rest from. */
  static String hint(String secret) {
    return secret.substring(0, Math.min(secret.length(), 7)) + "…";
  }

  /** The request's path as a log line may show it: a segment that is one of these values keeps its prefix only. */
  static String loggedPath(RoutingContext ctx) {
    return IN_PATH.matcher(ctx.normalizedPath()).replaceAll("$1…");
  }

  /** The CSRF token of a session: derived from its id, so it needs no storage and no other node's memory. */
  static String csrf(String sessionId) {
    return Hashes.sha256Hex("parley-csrf|" + sessionId);
  }
}
