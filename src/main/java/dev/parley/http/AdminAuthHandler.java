package dev.parley.http;

import dev.parley.common.AccountClient;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.Role;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every admin request ({@code /api/…} except the public chat, sign-in, set-up and invite routes, and
 * {@code /metrics}) and puts its {@link Principal} on the context. Three credentials are accepted:
 * {@code Authorization: Bearer pt_…} (an API token, acting as its user), {@code Authorization: Bearer <admin
 * token>} (the bootstrap token, an owner; refused when {@code admin_token_enabled} is false), and the
 * {@code parley_session} cookie ({@link SessionCookie}). A request that carries the cookie and writes (any method
 * but GET, HEAD and OPTIONS) must send the session's CSRF token in {@code X-CSRF-Token}, else 403
 * {@code csrf_failed}; bearer requests need none (a browser never adds that header by itself). Sessions and tokens
 * are looked up on every request ({@link AccountClient}): this node keeps nothing, so a revocation holds on every
 * node at once.
 *
 * <p>Wrong or missing bearer tokens are counted per client address ({@link ClientAddress}) in one-minute windows
 * ({@link RateLimiter}); an address with {@code http.admin_auth_failures_per_minute} of them gets 429 with
 * {@code Retry-After} for every admin request, a right token included (or a guesser would learn from a 200), until
 * the window ends. Right tokens and stale cookies are never counted. One WARN per address and window names the
 * address and the route, never what was sent.
 */
final class AdminAuthHandler implements Handler<RoutingContext> {

  static final int DEFAULT_FAILURES_PER_MINUTE = 20;
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final Logger LOG = LoggerFactory.getLogger(AdminAuthHandler.class);
  private static final String PREFIX = "Bearer ";
  private static final String KEY = "admin-auth|";
  private static final String RECHECK = "parley.principal.recheck";

  private final AdminToken token;
  private final boolean bootstrapEnabled;
  private final AccountClient accounts;
  private final RateLimiter limiter;
  private final ClientAddress addresses;
  private final int maxFailures;

  AdminAuthHandler(AdminToken token, boolean bootstrapEnabled, AccountClient accounts, RateLimiter limiter,
      ClientAddress addresses, int maxFailures) {
    this.token = token;
    this.bootstrapEnabled = bootstrapEnabled;
    this.accounts = accounts;
    this.limiter = limiter;
    this.addresses = addresses;
    this.maxFailures = maxFailures;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String address = addresses.of(request);
    long now = System.currentTimeMillis();
    boolean paused = !request.isEnded();
    if (paused) {
      request.pause();
    }
    limiter.count(KEY + address, now).compose(counted -> counted >= maxFailures
            ? Future.failedFuture(new ParleyException(ErrorCodes.TOO_MANY_REQUESTS, "rate_limited",
                "Too many wrong admin tokens from your address; try again later", null, RateLimiter.retryAfterSeconds(now)))
            : authenticate(ctx, address, now))
        .onComplete(result -> {
          if (paused) {
            request.resume();
          }
          if (result.succeeded()) {
            ctx.put(Principal.KEY, result.result());
            ctx.next();
          } else {
            ctx.fail(result.cause());
          }
        });
  }

  private Future<Principal> authenticate(RoutingContext ctx, String address, long now) {
    var values = ctx.request().headers().getAll("Authorization");
    if (values.size() > 1) {
      return refused(ctx, address, now);
    }
    String header = values.isEmpty() ? null : values.get(0);
    if (header != null) {
      if (!header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
        return refused(ctx, address, now);
      }
      String presented = header.substring(PREFIX.length()).strip();
      if (presented.startsWith(Secrets.TOKEN)) {
        String hash = Secrets.hash(presented);
        return recheckable(ctx, () -> accounts.checkToken(RequestIds.get(ctx), hash).map(user -> principal("token", user)))
            .recover(failure -> isUnauthorized(failure) ? refused(ctx, address, now) : Future.failedFuture(failure));
      }
      return bootstrapEnabled && token.matches(presented)
          ? recheckable(ctx, () -> Future.succeededFuture(Principal.BOOTSTRAP)) : refused(ctx, address, now);
    }
    String session = SessionCookie.of(ctx);
    if (session == null) {
      return refused(ctx, address, now);
    }
    if (!isSafe(ctx.request().method()) && !csrfMatches(ctx, session)) {
      return Future.failedFuture(new ParleyException(ErrorCodes.FORBIDDEN, "csrf_failed",
          "A signed-in write needs the X-CSRF-Token header that GET /api/me gives"));
    }
    String hash = Secrets.hash(session);
    return recheckable(ctx, () -> accounts.checkSession(RequestIds.get(ctx), hash).map(user -> principal("user", user)));
  }

  /**
   * Runs {@code check} and keeps it on the context, so that a response that outlives the request (the inbox channel)
   * can check the same credential again later ({@link #recheck}).
   */
  private static Future<Principal> recheckable(RoutingContext ctx, Supplier<Future<Principal>> check) {
    ctx.put(RECHECK, check);
    return check.get();
  }

  /**
   * The check of the request's credential, run again: the principal it stands for now, or 401 once the session or
   * token has ended (signed out, expired, revoked, its user disabled, re-scoped, demoted or removed).
   */
  static Supplier<Future<Principal>> recheck(RoutingContext ctx) {
    return ctx.get(RECHECK);
  }

  private Future<Principal> refused(RoutingContext ctx, String address, long now) {
    return limiter.hit(KEY + address, now).compose(hit -> {
      if (hit == maxFailures) {
        LOG.warn("[{}] {} wrong admin tokens from {} within a minute (last on {} {}); its admin requests get 429 "
            + "until the minute ends", RequestIds.get(ctx), maxFailures, address, ctx.request().method(), Secrets.loggedPath(ctx));
      }
      return Future.failedFuture(new ParleyException(ErrorCodes.UNAUTHORIZED, "unauthorized",
          "Sign in, or send a valid token (Authorization: Bearer <token>)"));
    });
  }

  private static boolean csrfMatches(RoutingContext ctx, String session) {
    String sent = ctx.request().getHeader(CSRF_HEADER);
    return sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
        Secrets.csrf(session).getBytes(StandardCharsets.UTF_8));
  }

  private static boolean isSafe(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
  }

  private static boolean isUnauthorized(Throwable failure) {
    return failure instanceof ParleyException parley && parley.status() == ErrorCodes.UNAUTHORIZED;
  }

  /** The principal of a user as the account component answers it ({@code token_id} when a token acts for them). */
  static Principal principal(String kind, JsonObject user) {
    JsonArray scope = user.getJsonArray(Fields.BOT_IDS);
    Set<String> botIds = null;
    if (scope != null) {
      botIds = new HashSet<>();
      for (Object id : scope) {
        botIds.add((String) id);
      }
    }
    return new Principal(kind, user.getString("id"), user.getString(Fields.TOKEN_ID), user.getString(Fields.EMAIL),
        user.getString(Fields.NAME), Role.parse(user.getString(Fields.ROLE)), botIds == null ? null : Set.copyOf(botIds));
  }
}
