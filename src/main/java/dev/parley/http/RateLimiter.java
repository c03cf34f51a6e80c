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
 * chat down with them. A process-local window holds at most {@link #MAX_KEYS} keys, so a flood of made-up sessions
 * or addresses cannot grow it without end: past that, a new key counts as over its limit until the window ends.
 */
final class RateLimiter {

  static final long WINDOW_MS = 60_000;
  private static final String PREFIX = "parley.rate.";
  private static final int MAX_CAS_ATTEMPTS = 8;
  /** Keys one process counts per window; a key past it counts as over every limit until the window ends. */
  static final int MAX_KEYS = 100_000;
  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);

  private final Vertx vertx;
  private final boolean shared;
  private long cleared = -1;
  private long full = -1;

  /** {@code shared}: use the cluster-wide async maps (forced on when clustered). */
  RateLimiter(Vertx vertx, boolean shared) {
    this.vertx = vertx;
    this.shared = shared || vertx.isClustered();
  }

  /** Counts a hit on {@code key} in the current window and answers the count so far, this hit included. */
  Future<Long> hit(String key, long now) {
    long window = rotate(now);
    String entry = window + "|" + key;
    if (!shared) {
      LocalMap<String, Long> map = local(window);
      if (map.size() >= MAX_KEYS && map.get(entry) == null) {
        if (full != window) {
          full = window;
          LOG.warn("Rate-limit counters full ({} keys this minute): new clients are refused until it ends", MAX_KEYS);
        }
        return Future.succeededFuture(Long.MAX_VALUE);
      }
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

  /**
   * The count of {@code key} in the current window, without counting a hit (0 when the cluster map is unavailable;
   * over every limit when a full local window does not hold the key).
   */
  Future<Long> count(String key, long now) {
    long window = rotate(now);
    String entry = window + "|" + key;
    if (!shared) {
      LocalMap<String, Long> map = local(window);
      Long count = map.get(entry);
      return Future.succeededFuture(count != null ? count : map.size() >= MAX_KEYS ? Long.MAX_VALUE : 0L);
    }
    return vertx.sharedData().<String, Long>getAsyncMap(PREFIX + (window % 3))
        .compose(map -> map.get(entry))
        .map(count -> count == null ? 0L : count)
        .recover(failure -> Future.succeededFuture(0L));
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

  private LocalMap<String, Long> local(long window) {
    return vertx.sharedData().getLocalMap(PREFIX + (window % 3));
  }

  /**
   * The window of {@code now}; on the first hit of a new window, clears the map the next window will use (it holds
   * the window before last).
   */
  private long rotate(long now) {
    long window = now / WINDOW_MS;
    if (window == cleared) {
      return window;
    }
    cleared = window;
    String next = PREFIX + ((window + 1) % 3);
    if (!shared) {
      local(window + 1).clear();
      return window;
    }
    vertx.sharedData().getAsyncMap(next).compose(AsyncMap::clear)
        .onFailure(failure -> LOG.warn("Could not clear rate-limit map {}: {}", next, failure.toString()));
    return window;
  }
}
