package dev.parley.http;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;

/**
 * The sign-in cookie {@code parley_session}: HttpOnly, SameSite=Strict, Path=/, Secure when the public URL is
 * https, and no Max-Age (the server ends a session: 12 h idle, 7 days at most), so it goes when the browser closes
 * or the session ends, whichever is first.
 */
final class SessionCookie {

  static final String NAME = "parley_session";

  private final boolean secure;

  SessionCookie(String publicUrl) {
    this.secure = publicUrl != null && publicUrl.regionMatches(true, 0, "https:", 0, 6);
  }

  /** The session id the request presents, or null. */
  static String of(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(NAME);
    String value = cookie == null ? null : cookie.getValue();
    return value != null && value.startsWith(Secrets.SESSION) && value.length() <= 64 ? value : null;
  }

  void set(RoutingContext ctx, String sessionId) {
    ctx.response().addCookie(base(sessionId));
  }

  void clear(RoutingContext ctx) {
    ctx.response().addCookie(base("").setMaxAge(0));
  }

  private Cookie base(String value) {
    return Cookie.cookie(NAME, value).setHttpOnly(true).setSameSite(CookieSameSite.STRICT).setPath("/").setSecure(secure);
  }
}
