package dev.parley.testing;

import dev.parley.Launcher;
import dev.parley.Main;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Parley as separate processes for the multi-JVM tests: each runs {@link Main} on this JVM's class path,
 * logs to {@code <name>.log} in a folder of the test's, and is killed with SIGKILL at the end (or by the
 * test, mid-load). Every process gets the test admin token; its environment is the test's. A test on
 * PostgreSQL gets a fresh database from {@link #postgresUrl()}, dropped with the processes. As a test's
 * {@code @RegisterExtension} field ({@link #perTest}), it makes its folder before each test and cleans up after it.
 */
public final class ParleyProcesses implements BeforeEachCallback, AfterEachCallback {

  /**
   * JVM options of every process, cheap for a short life on a small machine: C1 only (a test's processes live for a
   * minute or two; C2 would spend it compiling on the cores the test needs) and the serial collector (no GC threads).
   * The system property {@code parley.test.process-jvm-options} replaces them (space-separated; empty for none).
   */
  public static final List<String> JVM_OPTIONS = List.of(System.getProperty("parley.test.process-jvm-options",
      "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC").trim().split("\\s+")).stream()
      .filter(option -> !option.isEmpty()).toList();

  /**
   * The {@code cluster.join_timeout_s} of test nodes (processes and in-JVM): on loopback a member answers at once,
   * so nodes started together need not wait Hazelcast's 5 s before one leads. The system property
   * {@code parley.test.join-timeout-s} replaces it.
   */
  public static final int JOIN_TIMEOUT_S = Integer.getInteger("parley.test.join-timeout-s", 1);

  private Path dir;
  private final String keptLogs;
  private final List<Process> processes = new ArrayList<>();
  private final Map<String, Path> logs = new LinkedHashMap<>();
  private String database;

  public ParleyProcesses(Path dir) {
    this.dir = dir;
    this.keptLogs = null;
  }

  private ParleyProcesses(String keptLogs) {
    this.keptLogs = keptLogs;
  }

  /**
   * The processes of one test, for a {@code @RegisterExtension} field: before the test, a temp folder for their
   * logs and data; after it, {@link #killAll} keeping the logs under {@code target/<keptLogs>}, then the folder
   * is deleted.
   */
  public static ParleyProcesses perTest(String keptLogs) {
    return new ParleyProcesses(keptLogs);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("parley-processes");
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      killAll(keptLogs);
      for (Process process : processes) {
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      ParleyExtension.delete(dir);
    }
  }

  /** Starts {@code java … dev.parley.Main args} with {@code env} added to this process's environment. */
  public Process launch(String name, Map<String, String> env, String... args) throws IOException {
    List<String> options = new ArrayList<>(JVM_OPTIONS);
    options.add("-Dhazelcast.logging.type=slf4j");
    return start(name, env, options, Main.class.getName(), args);
  }

  /**
   * Starts {@code java jvmOptions -cp … dev.parley.Launcher args}, the jar's entry point: with no JVM option, as
   * {@code java -jar parley.jar} starts, the launcher starts the server in a JVM of its own.
   */
  public Process launchThroughLauncher(String name, Map<String, String> env, List<String> jvmOptions, String... args)
      throws IOException {
    return start(name, env, jvmOptions, Launcher.class.getName(), args);
  }

  private Process start(String name, Map<String, String> env, List<String> jvmOptions, String mainClass,
      String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    Path log = log(name);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("PARLEY_ADMIN_TOKEN", TestApp.ADMIN_TOKEN);
    builder.environment().putAll(env);
    Process process = builder.start();
    processes.add(process);
    logs.put(name, log);
    return process;
  }

  /**
   * Starts a clustered node: {@code --cluster --roles roles}, Hazelcast on {@code clusterPort} joining
   * {@code members}, HTTP (when it has the role) on {@code httpPort}, its data folder {@code <name>/}, the
   * test secret key, and {@code openaiBaseUrl} as the default OpenAI base URL.
   */
  public Process launchClustered(String name, String roles, int clusterPort, int httpPort, String members,
      String databaseUrl, Path configFile, String openaiBaseUrl) throws IOException {
    return launchClustered(name, roles, clusterPort, httpPort, members, databaseUrl, configFile, openaiBaseUrl, Map.of());
  }

  /** The same, with {@code extra} added to the process's environment. */
  public Process launchClustered(String name, String roles, int clusterPort, int httpPort, String members,
      String databaseUrl, Path configFile, String openaiBaseUrl, Map<String, String> extra) throws IOException {
    Map<String, String> env = new HashMap<>(extra);
    env.putAll(Map.of(
        "PARLEY_CONFIG", configFile.toString(),
        "PARLEY_PORT", String.valueOf(httpPort),
        "PARLEY_HOST", "127.0.0.1",
        "PARLEY_DATA_DIR", Files.createDirectories(dir.resolve(name)).toString(),
        "PARLEY_SECRET_KEY", TestApp.SECRET_KEY,
        "PARLEY_DATABASE_URL", databaseUrl,
        "PARLEY_CLUSTER_HOST", "127.0.0.1",
        "PARLEY_CLUSTER_PORT", String.valueOf(clusterPort),
        "PARLEY_CLUSTER_MEMBERS", members,
        "OPENAI_BASE_URL", openaiBaseUrl));
    return launch(name, env, "--cluster", "--roles", roles);
  }

  /**
   * The test config ({@code conf/config.json}, no embedding model preloaded, {@link #JOIN_TIMEOUT_S}) in a file for
   * the processes.
   */
  public Path configFile() throws IOException {
    return configFile(config -> { });
  }

  /** The same, changed by {@code change} first. */
  public Path configFile(Consumer<JsonObject> change) throws IOException {
    JsonObject config = TestApp.defaults();
    config.getJsonObject("rag").put("preload_model", false);
    config.getJsonObject("bot").put("new_bot_rate_limit", TestApp.UNTHROTTLED.copy());
    config.getJsonObject("cluster").put("join_timeout_s", JOIN_TIMEOUT_S);
    change.accept(config);
    return Files.writeString(dir.resolve("config.json"), config.encodePrettily());
  }

  /**
   * A random base port for Hazelcast: node i of a cluster listens on base + i, so the base and the three ports after it
   * are free now. Below Linux's ephemeral range, as {@link TestApp#freePort}: a port taken when a node starts makes
   * Hazelcast move to the next one, off its members list, and the nodes never meet (seen in a CI run).
   */
  public static int hazelcastPort() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 20_000 + (int) (Math.random() * 12_000);
      if (free(base) && free(base + 1) && free(base + 2) && free(base + 3)) {
        return base;
      }
    }
    throw new IllegalStateException("No four free ports in a row below the ephemeral range");
  }

  private static boolean free(int port) {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (java.io.IOException taken) {
      return false;
    }
  }

  /** The members list of a cluster of {@code count} nodes on 127.0.0.1 from port {@code base}. */
  public static String members(int base, int count) {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      members.add("127.0.0.1:" + (base + i));
    }
    return String.join(",", members);
  }

  /** A web client for a process's HTTP port on 127.0.0.1, with at most {@code connections} connections. */
  public static WebClient client(Vertx vertx, int port, int connections) {
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setConnectTimeout(2_000), new PoolOptions().setHttp1MaxSize(connections));
  }

  /** The URL of a fresh PostgreSQL database for the processes ({@link TestPostgres}), made on first use. */
  public String postgresUrl() {
    if (database == null) {
      database = TestPostgres.create();
    }
    return TestPostgres.url(database);
  }

  /**
   * Kills every process still running, keeps their logs under {@code target/<folder>}, and drops the
   * database, if one was made.
   */
  public void killAll(String folder) throws IOException {
    for (Process process : processes) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    if (database != null) {
      TestPostgres.drop(database);
      database = null;
    }
    Path kept = Files.createDirectories(Path.of("target", folder));
    for (Map.Entry<String, Path> log : logs.entrySet()) {
      if (Files.exists(log.getValue())) {
        Files.copy(log.getValue(), kept.resolve(log.getKey() + ".log"), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** The log file of process {@code name}. */
  public Path log(String name) {
    return dir.resolve(name + ".log");
  }

  /** Until the log of process {@code name} holds {@code text} (say, {@code "Parley is running"}). */
  public Future<Void> logged(Vertx vertx, String name, String text, long timeoutMs) {
    Path log = logs.get(name);
    return Await.until(vertx, () -> {
      try {
        return log != null && Files.exists(log) && Files.readString(log).contains(text);
      } catch (IOException unreadable) {
        return false;
      }
    }, timeoutMs);
  }

  /** Until {@code GET /api/bots} answers 200 through {@code client} (the node and the bot role it reaches are up). */
  public static Future<Void> answering(Vertx vertx, WebClient client, long timeoutMs) {
    return answering(vertx, client, "/api/bots", 1, timeoutMs);
  }

  /**
   * Until {@code GET path} (with the admin token) answers 200 {@code times} times in a row through
   * {@code client}, probing every 200 ms.
   */
  public static Future<Void> answering(Vertx vertx, WebClient client, String path, int times, long timeoutMs) {
    Promise<Void> ready = Promise.promise();
    probe(vertx, client, path, times, 0, ready, System.currentTimeMillis() + timeoutMs);
    return ready.future();
  }

  private static void probe(Vertx vertx, WebClient client, String path, int times, int inARow, Promise<Void> ready,
      long deadline) {
    client.get(path).putHeader("Authorization", "Bearer " + TestApp.ADMIN_TOKEN).timeout(5_000).send()
        .onComplete(result -> {
          int answered = result.succeeded() && result.result().statusCode() == 200 ? inARow + 1 : 0;
          if (answered >= times) {
            ready.complete();
          } else if (System.currentTimeMillis() > deadline) {
            ready.fail("GET " + path + " did not answer 200 within the time allowed");
          } else {
            vertx.setTimer(200, t -> probe(vertx, client, path, times, answered, ready, deadline));
          }
        });
  }
}
