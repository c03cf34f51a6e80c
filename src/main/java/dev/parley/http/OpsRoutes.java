package dev.parley.http;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.ClusterWarmup;
import dev.parley.common.ParleyException;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.function.BooleanSupplier;

/**
 * Operations routes: {@code /health/live} (the process answers), {@code /health/ready} (the
 * database, the knowledge index and the bus to them answer, a node that joined a cluster has settled in
 * ({@link ClusterWarmup}), and the node is not shutting down: 200 or 503
 * with each check), and
 * {@code /metrics} in Prometheus format, for owners and admins unless {@code metrics_public}.
 */
final class OpsRoutes {

  private static final long CHECK_TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  private final Bus bus;
  private final boolean metricsPublic;
  private final BooleanSupplier draining;
  private final Handler<RoutingContext> adminAuth;
  private final Handler<RoutingContext> access;

  OpsRoutes(Bus bus, boolean metricsPublic, BooleanSupplier draining, Handler<RoutingContext> adminAuth,
      Handler<RoutingContext> access) {
    this.access = access;
    this.vertx = bus.vertx();
    this.bus = bus;
    this.metricsPublic = metricsPublic;
    this.draining = draining;
    this.adminAuth = adminAuth;
  }

  void mount(Router router) {
    router.get("/health/live").handler(ctx -> Replies.end(ctx.response()
        .putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store"),
        new JsonObject().put("status", "UP").encode()));

    HealthChecks checks = HealthChecks.create(vertx)
        .register("database", CHECK_TIMEOUT_MS, probe(Addresses.MEMORY_HEALTH, true))
        .register("bots", CHECK_TIMEOUT_MS, probe(Addresses.BOT_HEALTH, true))
        .register("index", CHECK_TIMEOUT_MS, probe(Addresses.RAG_HEALTH, false))
        .register("cluster", promise -> {
          JsonObject cluster = new JsonObject().put("clustered", vertx.isClustered());
          promise.complete(ClusterWarmup.warm(vertx) ? Status.OK(cluster) : Status.KO(cluster.put("joining", true)));
        })
        .register("accepting", promise -> promise.complete(draining.getAsBoolean()
            ? Status.KO(new JsonObject().put("draining", true)) : Status.OK()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(checks));

    if (!metricsPublic) {
      router.get("/metrics").handler(adminAuth).handler(access);
    }
    router.get("/metrics").handler(ctx -> {
      if (BackendRegistries.getDefaultNow() == null) {
        ctx.fail(new ParleyException(404, "metrics_disabled", "Metrics are not enabled in this process"));
      } else {
        ctx.next();
      }
    }).handler(PrometheusScrapingHandler.create());
  }

  /**
   * A check that asks a component over the bus. A component that no node runs is down when it
   * is {@code required}, and reported as not deployed otherwise.
   * The check's own timeout equals the request's, and may end it first: hence {@code tryComplete}.
   */
  private Handler<Promise<Status>> probe(String address, boolean required) {
    return promise -> bus.request(null, address, new JsonObject(), CHECK_TIMEOUT_MS).onComplete(result -> {
      if (result.succeeded()) {
        promise.tryComplete(Status.OK(result.result()));
      } else if (!required && isNoHandlers(result.cause())) {
        promise.tryComplete(Status.OK(new JsonObject().put("deployed", false)));
      } else {
        String reason = result.cause() instanceof ParleyException parley ? parley.code() : "unavailable";
        promise.tryComplete(Status.KO(new JsonObject().put("error", reason)));
      }
    });
  }

  private static boolean isNoHandlers(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
        || failure instanceof ParleyException parley && parley.code().equals("service_unavailable");
  }
}
