package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards every admin route and {@code /metrics}: only {@code Authorization: Bearer <admin token>} is accepted
 * (no query parameter, cookie or other header carries the token). Wrong or missing tokens are counted per
 * client address ({@link ClientAddress}) in one-minute windows ({@link RateLimiter}); an address with
 * {@code http.admin_auth_failures_per_minute} of them gets 429 with {@code Retry-After} for every admin request,
 * a right token included (or a guesser would learn from a 200), until the window ends. Right tokens are never
 * counted. One WARN per address and window names the address and the route, never what was sent.
 */
final class AdminAuthHandler implements Handler<RoutingContext> {

  static final int DEFAULT_FAILURES_PER_MINUTE = 20;
  private static final Logger LOG = LoggerFactory.getLogger(AdminAuthHandler.class);
  private static final String PREFIX = "Bearer ";
  private static final String KEY = "admin-auth|";

  private final AdminToken token;
  private final RateLimiter limiter;
  private final ClientAddress addresses;
  private final int maxFailures;

  AdminAuthHandler(AdminToken token, RateLimiter limiter, ClientAddress addresses, int maxFailures) {
    this.token = token;
    this.limiter = limiter;
    this.addresses = addresses;
    this.maxFailures = maxFailures;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String address = addresses.of(request);
    long now = System.currentTimeMillis();
    Future<Long> failures = limiter.count(KEY + address, now);
    boolean paused = !failures.isComplete() && !request.isEnded();
    if (paused) {
      request.pause();
    }
    failures.onComplete(counted -> {
      if (paused) {
        request.resume();
      }
      if (counted.result() >= maxFailures) {
        refuse(ctx, now);
      } else if (presentsToken(ctx)) {
        ctx.put(Principal.KEY, Principal.BOOTSTRAP);
        ctx.next();
      } else {
        limiter.hit(KEY + address, now).onComplete(hit -> {
          if (hit.result() == maxFailures) {
            LOG.warn("[{}] {} wrong admin tokens from {} within a minute (last on {} {}); its admin requests get 429 "
                + "until the minute ends", RequestIds.get(ctx), maxFailures, address, request.method(), ctx.normalizedPath());
          }
          ctx.fail(new ParleyException(ErrorCodes.UNAUTHORIZED, "unauthorized",
              "A valid admin token is required (Authorization: Bearer <token>)"));
        });
      }
    });
  }

  private boolean presentsToken(RoutingContext ctx) {
    var values = ctx.request().headers().getAll("Authorization");
    String header = values.size() == 1 ? values.get(0) : null;
    return header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        && token.matches(header.substring(PREFIX.length()).strip());
  }

  private static void refuse(RoutingContext ctx, long now) {
    ctx.fail(new ParleyException(ErrorCodes.TOO_MANY_REQUESTS, "rate_limited",
        "Too many wrong admin tokens from your address; try again later", null, RateLimiter.retryAfterSeconds(now)));
  }
}
