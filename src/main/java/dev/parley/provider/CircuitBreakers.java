package dev.parley.provider;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vertx-circuit-breaker per (provider, base URL), shared by every instance of the provider
 * verticle in this process (through a local map keyed by the deployment). A call is one whole
 * provider call, retries included, so a turn counts once. Only failures for which
 * {@link ProviderFailure#countsAgainstProvider()} holds count; any other outcome (an answer, a 4xx
 * caused by the request) proves the provider is up and clears the count. While the circuit is
 * open a call fails at once with {@link ProviderFailure#circuitOpen(long)}, carrying the time
 * left until a probe is let through. The breaker's own timeout is off: the verticle's deadline
 * bounds every call. At most {@value #MAX_CIRCUITS} circuits are kept: past that, the closed ones are forgotten.
 */
final class CircuitBreakers implements Shareable {

  private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakers.class);
  private static final String SHARED_MAP = "parley.provider.circuit-breakers";

  /** The most circuits kept ({@link #execute}). */
  static final int MAX_CIRCUITS = 10_000;

  private final Vertx vertx;
  private final ProviderSettings.Breaker settings;
  private final Map<String, Circuit> circuits = new ConcurrentHashMap<>();

  private CircuitBreakers(Vertx vertx, ProviderSettings.Breaker settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /** The breakers of one deployment of the provider verticle, made by its first instance. */
  static CircuitBreakers shared(Vertx vertx, String deploymentId, ProviderSettings.Breaker settings) {
    return vertx.sharedData().<String, CircuitBreakers>getLocalMap(SHARED_MAP)
        .computeIfAbsent(deploymentId, id -> new CircuitBreakers(vertx, settings));
  }

  /** Forgets a deployment's breakers (idempotent: every instance calls it on stop). */
  static void release(Vertx vertx, String deploymentId) {
    vertx.sharedData().<String, CircuitBreakers>getLocalMap(SHARED_MAP).remove(deploymentId);
  }

  /** Runs {@code call} through the breaker of {@code provider} at {@code baseUrl}. */
  <T> Future<T> execute(String provider, String baseUrl, Supplier<Future<T>> call) {
    String key = provider + " " + baseUrl;
    if (circuits.size() >= MAX_CIRCUITS && !circuits.containsKey(key)) {
      // base URLs come from bots' settings, and every one changed or deleted left its circuit here: closed
      // circuits hold nothing worth keeping, open ones are kept unless nothing else makes room
      forget(known -> known.breaker.state() == CircuitBreakerState.CLOSED);
      if (circuits.size() >= MAX_CIRCUITS) {
        forget(known -> true);
      }
    }
    Circuit circuit = circuits.computeIfAbsent(key, k -> new Circuit(provider, baseUrl));
    return circuit.breaker.<T>execute(call).recover(failure -> failure instanceof OpenCircuitException
        ? Future.failedFuture(ProviderFailure.circuitOpen(circuit.retryAfterMs()))
        : Future.failedFuture(failure));
  }

  private void forget(Predicate<Circuit> which) {
    circuits.values().removeIf(known -> {
      if (which.test(known)) {
        known.breaker.close();
        return true;
      }
      return false;
    });
  }

  /** How many circuits are kept (for tests). */
  int size() {
    return circuits.size();
  }

  /** The state of the breaker of {@code provider} at {@code baseUrl}: closed when it has none yet. */
  CircuitBreakerState state(String provider, String baseUrl) {
    Circuit circuit = circuits.get(provider + " " + baseUrl);
    return circuit == null ? CircuitBreakerState.CLOSED : circuit.breaker.state();
  }

  private final class Circuit {

    private final CircuitBreaker breaker;
    private volatile long openedAt;

    Circuit(String provider, String baseUrl) {
      String where = provider + " at " + origin(baseUrl);
      breaker = CircuitBreaker.create("parley-provider-" + where, vertx, new CircuitBreakerOptions()
              .setMaxFailures(settings.maxFailures())
              .setResetTimeout(settings.resetTimeoutMs())
              .setFailuresRollingWindow(settings.failureWindowMs())
              .setTimeout(-1)
              .setMaxRetries(0)
              .setFallbackOnFailure(false)
              .setNotificationAddress(null))
          .failurePolicy(result -> result.failed()
              && result.cause() instanceof ProviderFailure failure && failure.countsAgainstProvider())
          .openHandler(v -> {
            openedAt = System.nanoTime();
            LOG.warn("Circuit of {} opened after repeated failures: calls fail at once for {} ms", where,
                settings.resetTimeoutMs());
          })
          .halfOpenHandler(v -> LOG.info("Circuit of {} half-open: the next call is a probe", where))
          .closeHandler(v -> LOG.info("Circuit of {} closed: the probe call succeeded", where));
    }

    /** Time until the open circuit lets a probe through; a second while a probe is under way. */
    long retryAfterMs() {
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedAt);
      return Math.max(1_000, settings.resetTimeoutMs() - elapsed);
    }
  }

  /** Scheme, host and port only: a base URL may carry credentials or tokens in its other parts. */
  private static String origin(String url) {
    try {
      URI uri = new URI(url);
      return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    } catch (java.net.URISyntaxException | RuntimeException unreadable) {
      return "?";
    }
  }
}
