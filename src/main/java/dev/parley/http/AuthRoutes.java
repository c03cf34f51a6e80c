package dev.parley.http;

import dev.parley.common.AccountClient;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The public sign-in routes. {@code GET /api/setup} says whether Parley has users yet; {@code POST /api/setup
 * {email, name, password}} creates the first owner while it has none (409 {@code setup_done} after) and signs them
 * in. {@code POST /api/invites/{token} {password}} sets the password of an invited user (404 {@code invite_invalid}
 * when the invite is unknown, used or expired). {@code POST /api/auth/login {email, password}} answers 200
 * {@code {user, csrf_token}} with a new session cookie (a session the request presented ends: no fixation), or 401
 * {@code invalid_credentials} alike for a wrong password, an unknown email and a disabled user (the same work: a
 * dummy hash is checked). {@code POST /api/auth/logout} ends the session and clears the cookie (204).
 *
 * <p>Each of these POSTs counts against {@code http.login_attempts_per_minute} per client address (429 with
 * {@code Retry-After} beyond), as each hashes a password; and the account component locks an email out after 5
 * failures in 15 minutes ({@code too_many_sign_ins}).
 */
final class AuthRoutes {

  static final int DEFAULT_ATTEMPTS_PER_MINUTE = 30;
  private static final String KEY = "login|";

  private final AccountClient accounts;
  private final Passwords passwords;
  private final SessionCookie cookie;
  private final RateLimiter limiter;
  private final ClientAddress addresses;
  private final int attemptsPerMinute;
  private final AuditTrail audit;

  AuthRoutes(AccountClient accounts, Passwords passwords, SessionCookie cookie, RateLimiter limiter,
      ClientAddress addresses, int attemptsPerMinute, AuditTrail audit) {
    this.audit = audit;
    this.accounts = accounts;
    this.passwords = passwords;
    this.cookie = cookie;
    this.limiter = limiter;
    this.addresses = addresses;
    this.attemptsPerMinute = attemptsPerMinute;
  }

  void mount(Router router) {
    router.get("/api/setup").handler(ctx -> accounts.anyUser(RequestIds.get(ctx))
        .onComplete(Replies.json(ctx, 200, any -> new JsonObject().put("users_exist", any).put("setup_open", !any))));
    router.post("/api/setup").handler(this::setup);
    router.post("/api/invites/:inviteToken").handler(this::acceptInvite);
    router.post("/api/auth/login").handler(this::login);
    router.post("/api/auth/logout").handler(this::logout);
  }

  private void setup(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    String password = Passwords.require(body.getValue("password"));
    String requestId = RequestIds.get(ctx);
    throttled(ctx)
        .compose(ok -> passwords.hash(password))
        .compose(hash -> accounts.setup(requestId, body.getValue(Fields.EMAIL) instanceof String e ? e : "",
            body.getValue(Fields.NAME) instanceof String n ? n : "", hash))
        .compose(user -> signIn(ctx, user.getString("id")))
        .compose(signedIn -> audit.record(ctx, "auth.setup", "user", userId(signedIn), null).map(signedIn))
        .onComplete(Replies.json(ctx, 201, signedIn -> signedIn));
  }

  private void acceptInvite(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    String password = Passwords.require(body.getValue("password"));
    String invite = ctx.pathParam("inviteToken");
    throttled(ctx)
        .compose(ok -> passwords.hash(password))
        .compose(hash -> accounts.acceptInvite(RequestIds.get(ctx), Secrets.hash(invite), hash))
        .compose(user -> {
          ctx.put(Principal.KEY, AdminAuthHandler.principal("user", user));
          return audit.record(ctx, "auth.invite_accepted", "user", user.getString("id"), null).map(user);
        })
        .onComplete(Replies.json(ctx, 200, user -> new JsonObject().put("user", user)));
  }

  private void login(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    if (!(body.getValue(Fields.EMAIL) instanceof String email) || email.isBlank() || email.length() > 254) {
      throw ParleyException.invalid(Fields.EMAIL, "email is required");
    }
    if (!(body.getValue("password") instanceof String password) || password.isEmpty()
        || password.length() > Passwords.MAX_LENGTH) {
      throw ParleyException.invalid("password", "password is required (at most " + Passwords.MAX_LENGTH + " characters)");
    }
    String requestId = RequestIds.get(ctx);
    throttled(ctx)
        .compose(ok -> accounts.loginBegin(requestId, email))
        .compose(found -> passwords.verify(password, found.getString(Fields.PASSWORD_HASH)).compose(right -> right
            ? signIn(ctx, found.getString(Fields.USER_ID))
                .compose(signedIn -> audit.record(ctx, "auth.login", "user", userId(signedIn), null).map(signedIn))
            : accounts.loginFailed(requestId, email)
                .compose(v -> audit.recordFailure(ctx, "auth.login_failed", "user", email.strip(), null))
                .compose(v -> Future.failedFuture(new ParleyException(
                ErrorCodes.UNAUTHORIZED, "invalid_credentials", "Wrong email or password")))))
        .onComplete(Replies.json(ctx, 200, signedIn -> signedIn));
  }

  private void logout(RoutingContext ctx) {
    String session = SessionCookie.of(ctx);
    String requestId = RequestIds.get(ctx);
    // who signs out is looked up first, for the audit log; a session already gone is signed out all the same
    Future<Void> ended = session == null ? Future.succeededFuture()
        : accounts.checkSession(requestId, Secrets.hash(session))
            .map(user -> {
              ctx.put(Principal.KEY, AdminAuthHandler.principal("user", user));
              return true;
            })
            .otherwise(false)
            .compose(known -> accounts.endSession(requestId, Secrets.hash(session))
                .compose(v -> known ? audit.record(ctx, "auth.logout", "session", null, null) : Future.succeededFuture()));
    ended.onComplete(done -> {
      cookie.clear(ctx);
      Replies.<Void>noContent(ctx).handle(done);
    });
  }

  /**
   * Starts a session for a user whose identity is verified, ending the one the request presented, and sets the
   * cookie: {@code {user, csrf_token}}. The OIDC callback signs in through here too.
   */
  Future<JsonObject> signIn(RoutingContext ctx, String userId) {
    String requestId = RequestIds.get(ctx);
    String previous = SessionCookie.of(ctx);
    String session = Secrets.make(Secrets.SESSION);
    Future<Void> ended = previous == null ? Future.succeededFuture() : accounts.endSession(requestId, Secrets.hash(previous));
    return ended.compose(v -> accounts.startSession(requestId, userId, Secrets.hash(session))).map(user -> {
      ctx.put(Principal.KEY, AdminAuthHandler.principal("user", user));
      cookie.set(ctx, session);
      return new JsonObject().put("user", user).put("csrf_token", Secrets.csrf(session));
    });
  }

  private static String userId(JsonObject signedIn) {
    return signedIn.getJsonObject("user").getString("id");
  }

  private Future<Void> throttled(RoutingContext ctx) {
    long now = System.currentTimeMillis();
    return limiter.hit(KEY + addresses.of(ctx.request()), now).compose(count -> count > attemptsPerMinute
        ? Future.failedFuture(new ParleyException(ErrorCodes.TOO_MANY_REQUESTS, "rate_limited",
            "Too many sign-in attempts from your address; try again later", null, RateLimiter.retryAfterSeconds(now)))
        : Future.succeededFuture());
  }
}
