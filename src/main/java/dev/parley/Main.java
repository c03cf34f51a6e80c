package dev.parley;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.Arrays;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process entry point: {@code java -jar parley.jar [--cluster] [--roles http,bot,memory,provider]}, through
 * {@link Launcher} (which may start it in a JVM of its own). Owns process concerns only: configuration, the JVM's memory defaults ({@link JvmDefaults}), clustering, the exit
 * code, and a clean shutdown.
 */
public final class Main {

  static {
    // Before the first logger exists: PARLEY_LOG_FORMAT=json switches to one JSON object a line.
    String format = System.getProperty("PARLEY_LOG_FORMAT", System.getenv("PARLEY_LOG_FORMAT"));
    if ("json".equalsIgnoreCase(format) && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  /**
   * Runs on the plain main thread, which may wait: the configuration is read first, then the
   * Vert.x instance (clustered or not) is built, and the platform deployed on it.
   */
  public static void main(String[] args) {
    long launcher = Launcher.watchLauncher();
    if (launcher > 0) {
      LOG.info("Started by its launcher (pid {}) with a heap limit of {} MB, as java was given no JVM options; any JVM"
          + " option, or PARLEY_JVM_DEFAULTS=off, runs Parley in one JVM as launched", launcher,
          Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }
    JvmDefaults.applyToRunningJvm();
    System.setProperty("hazelcast.logging.type", "slf4j");
    boolean cluster = Arrays.asList(args).contains("--cluster");
    String roles = option(args, "--roles");
    Vertx vertx = null;
    Thread hook = null;
    try {
      Vertx bootstrap = Vertx.builder().with(options()).build();
      JsonObject config = AppConfig.load(bootstrap).await();
      if (roles != null) {
        config.put("roles", new JsonArray(Arrays.stream(roles.split(",")).map(String::trim).toList()));
      }
      if (cluster) {
        bootstrap.close().await();
        vertx = clustered(config).await();
      } else {
        vertx = bootstrap;
      }
      Vertx running = vertx;
      // before the deployment: a node stopped while it still starts already serves requests, and answers them
      hook = new Thread(() -> shutdown(running, config));
      Runtime.getRuntime().addShutdownHook(hook);
      vertx.deployVerticle(new MainVerticle(), new DeploymentOptions().setConfig(config)).await();
      LOG.info("Parley is running ({} event loops, {} transport)", Runtime.getRuntime().availableProcessors(),
          running.isNativeTransportEnabled() ? "epoll" : "NIO");
    } catch (Exception failure) {
      if (!withoutHook(hook)) {
        LOG.info("Stopped while starting: {}", failure.getMessage());
        return;
      }
      LOG.error("Parley could not start: {}", failure.getMessage(), failure);
      if (vertx != null) {
        vertx.close();
      }
      System.exit(1);
    }
  }

  /**
   * A start that failed exits at once (the orderly stop would wait on a Vert.x that is closing): false when the
   * process is already stopping (a signal during the start), whose hook then stops it in order.
   */
  private static boolean withoutHook(Thread hook) {
    try {
      if (hook != null) {
        Runtime.getRuntime().removeShutdownHook(hook);
      }
      return true;
    } catch (IllegalStateException stopping) {
      return false;
    }
  }

  private static Future<Vertx> clustered(JsonObject config) {
    JsonObject cluster = config.getJsonObject("cluster", new JsonObject());
    String host = cluster.getString("host", "127.0.0.1");
    VertxOptions options = options().setEventBusOptions(new EventBusOptions()
        .setHost(host).setPort(cluster.getInteger("bus_port", 0)).setClusterPublicHost(host));
    return Vertx.builder().with(options)
        .withClusterManager(new HazelcastClusterManager(ClusterConfig.hazelcast(cluster)))
        .buildClustered();
  }

  /**
   * One event loop per core on Linux's native epoll transport (NIO elsewhere), and Prometheus metrics of Vert.x (HTTP
   * by route, event bus, pools) and of Parley itself; every label value from a closed set ({@link MetricLabels}), so
   * requests cannot add series. On 2 cores, against Vert.x's default (NIO, two loops per core), a plain turn at one
   * visitor took 0.25–0.5 ms less and the first token came sooner in every run (docs/performance.md): a turn crosses
   * from loop to loop several times, and fewer loops and cheaper wake-ups make each crossing cheaper.
   */
  public static VertxOptions options() {
    return new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())
        .setPreferNativeTransport(true).setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE))
        .setLabelMatches(MetricLabels.matches()));
  }

  /**
   * Stops in order, within the not-ready delay and grace of HTTP plus the drain time of a clustered node
   * ({@code cluster.drain_s}), and a margin to leave the cluster.
   */
  private static void shutdown(Vertx vertx, JsonObject config) {
    JsonObject http = config.getJsonObject("http", new JsonObject());
    long drainMs = config.getJsonObject("cluster", new JsonObject()).getLong("drain_s", 30L) * 1_000;
    long httpMs = http.getLong("shutdown_delay_ms", 0L) + http.getLong("shutdown_grace_s", 30L) * 1_000;
    try {
      Shutdown.orderly(vertx, httpMs + drainMs).await(httpMs + drainMs + 15_000, java.util.concurrent.TimeUnit.MILLISECONDS);
      LOG.info("Parley stopped");
    } catch (Exception e) {
      LOG.warn("Shutdown did not finish cleanly: {}", e.getMessage());
    }
  }

  private static String option(String[] args, String name) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(name) && i + 1 < args.length) {
        return args[i + 1];
      }
      if (args[i].startsWith(name + "=")) {
        return args[i].substring(name.length() + 1);
      }
    }
    return null;
  }
}
