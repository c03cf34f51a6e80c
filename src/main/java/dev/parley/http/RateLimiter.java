package dev.parley.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.LocalMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts hits per key in fixed one-minute windows. A key's count lives in the map of its window;
 * three maps take turns ({@code window % 3}) and the one the next window will use is cleared at
 * each boundary, so counts of past windows never pile up.
 *
 * <p>Not clustered, the maps are process-local ({@link LocalMap}: an atomic {@code merge}, no
 * I/O). Clustered, they are cluster-wide {@link AsyncMap}s, so every HTTP node sees the same
 * counts: a hit is a {@code putIfAbsent} (one round trip for a key's first hit of the window),
 * then a compare-and-set {@code replaceIfPresent} (a second round trip), retried on contention.
 * When the cluster map fails, the hit is let through (and logged): limits must not take the
 * chat down with them.
 */
final class RateLimiter {

  static final long WINDOW_MS = 60_000;
  private static final String PREFIX = "parley.rate.";
  private static final int MAX_CAS_ATTEMPTS = 8;
  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);

  private final Vertx vertx;
  private final boolean shared;
  private long cleared = -1;

  /** {@code shared}: use the cluster-wide async maps (forced on when clustered). */
  RateLimiter(Vertx vertx, boolean shared) {
    this.vertx = vertx;
    this.shared = shared || vertx.isClustered();
  }

  /** Counts a hit on {@code key} in the current window and answers the count so far, this hit included. */
  Future<Long> hit(String key, long now) {
    long window = now / WINDOW_MS;
    rotate(window);
    String entry = window + "|" + key;
    if (!shared) {
      LocalMap<String, Long> map = vertx.sharedData().getLocalMap(PREFIX + (window % 3));
      return Future.succeededFuture(map.merge(entry, 1L, Long::sum));
    }
    long ttl = (window + 1) * WINDOW_MS - now + 5_000;
    return vertx.sharedData().<String, Long>getAsyncMap(PREFIX + (window % 3))
        .compose(map -> increment(map, entry, ttl, 0))
        .recover(failure -> {
          LOG.warn("Rate-limit counter unavailable ({}); letting the request through", failure.toString());
          return Future.succeededFuture(0L);
        });
  }

  /** Seconds until the current window ends (at least 1): the {@code Retry-After} of a refused request. */
  static long retryAfterSeconds(long now) {
    long end = (now / WINDOW_MS + 1) * WINDOW_MS;
    return Math.max(1, (end - now + 999) / 1000);
  }

  private Future<Long> increment(AsyncMap<String, Long> map, String key, long ttl, int attempt) {
    if (attempt >= MAX_CAS_ATTEMPTS) {
      return Future.failedFuture("too much contention on " + key);
    }
    return map.putIfAbsent(key, 1L, ttl).compose(existing -> {
      if (existing == null) {
        return Future.succeededFuture(1L);
      }
      return map.replaceIfPresent(key, existing, existing + 1).compose(swapped -> swapped
          ? Future.succeededFuture(existing + 1)
          : increment(map, key, ttl, attempt + 1));
    });
  }

  /** On the first hit of a new window, clears the map the next window will use (it holds the window before last). */
  private void rotate(long window) {
    if (window == cleared) {
      return;
    }
    cleared = window;
    String next = PREFIX + ((window + 1) % 3);
    if (!shared) {
      vertx.sharedData().getLocalMap(next).clear();
      return;
    }
    vertx.sharedData().getAsyncMap(next).compose(AsyncMap::clear)
        .onFailure(failure -> LOG.warn("Could not clear rate-limit map {}: {}", next, failure.toString()));
  }
}
