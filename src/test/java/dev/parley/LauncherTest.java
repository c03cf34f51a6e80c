package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyProcesses;
import dev.parley.testing.TestApp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's entry point ({@link Launcher}): {@code java -jar parley.jar} with no JVM option runs the server in a second
 * JVM with a heap limit; the launcher passes signals on, exits with the server's code, and the server does not outlive
 * it. Real processes, as an operator starts them.
 */
class LauncherTest {

  private static final long MB = 1024 * 1024;

  @RegisterExtension
  final ParleyProcesses processes = ParleyProcesses.perTest("launcher-test-logs");

  @Test
  void a_jvm_given_no_options_starts_the_server_with_a_heap_limit_of_512_mb_at_most() {
    List<String> command = Launcher.serverCommand(List.of(), null, "/jdk/bin/java", "classes:lib/vertx-core.jar",
        6_000 * MB, 42, true, new String[] {"--cluster", "--roles", "http"}).orElseThrow();

    assertThat(command).containsExactly("/jdk/bin/java", "-Xmx512m", "-Dparley.launcher.pid=42", "-cp",
        "classes:lib/vertx-core.jar", "dev.parley.Main", "--cluster", "--roles", "http");
    assertThat(Launcher.MAIN).isEqualTo(Main.class.getName());
  }

  @Test
  void a_launcher_run_from_a_jar_starts_the_server_with_java_jar_so_that_the_manifests_add_opens_apply(
      @TempDir Path dir) throws IOException {
    Path jar = Files.createFile(dir.resolve("parley.jar"));

    List<String> command = Launcher.serverCommand(List.of(), null, "/jdk/bin/java", jar.toString(), 6_000 * MB, 42, true,
        new String[] {"--cluster"}).orElseThrow();

    assertThat(command).containsExactly("/jdk/bin/java", "-Xmx512m", "-Dparley.launcher.pid=42", "-jar",
        jar.toString(), "--cluster");
    assertThat(Launcher.serverCommand(List.of("-Xmx512m", "-Dparley.launcher.pid=42"), null, "/jdk/bin/java",
        jar.toString(), 6_000 * MB, 7, true, new String[0])).as("the jar's launcher, given those options, runs Parley")
        .isEmpty();
  }

  @Test
  void on_a_small_machine_the_server_keeps_the_jvms_own_smaller_default() {
    assertThat(Launcher.heapLimitMb(256 * MB)).isEqualTo(256);
    assertThat(Launcher.heapLimitMb(6_000 * MB)).isEqualTo(512);
  }

  @Test
  void any_jvm_option_or_parley_jvm_defaults_off_runs_parley_in_the_jvm_as_launched() {
    assertThat(Launcher.serverCommand(List.of("-Xmx2g"), null, "java", "parley.jar", 6_000 * MB, 1, true, new String[0]))
        .isEmpty();
    assertThat(Launcher.serverCommand(List.of("-Dsome.property=1"), null, "java", "parley.jar", 6_000 * MB, 1, true,
        new String[0])).isEmpty();
    assertThat(Launcher.serverCommand(List.of(), "off", "java", "parley.jar", 6_000 * MB, 1, true, new String[0])).isEmpty();
  }

  @Test
  void a_launcher_pid_that_is_not_a_number_is_ignored_rather_than_stopping_the_start() {
    System.setProperty(Launcher.LAUNCHER_PID, "not-a-pid");
    try {
      assertThat(Launcher.watchLauncher()).isEqualTo(-1);
    } finally {
      System.clearProperty(Launcher.LAUNCHER_PID);
    }
  }

  @Test
  void where_a_process_cannot_be_asked_to_stop_in_order_parley_runs_in_the_jvm_as_launched() {
    // Windows: Process.destroy() kills, so a launcher could not let the server drain its requests
    assertThat(Launcher.serverCommand(List.of(), null, "java", "parley.jar", 6_000 * MB, 1, false, new String[0]))
        .isEmpty();
  }

  @Test
  void the_server_runs_in_its_own_jvm_and_stops_in_order_when_the_launcher_gets_sigterm() throws Exception {
    int port = TestApp.freePort();
    Process launcher = processes.launchThroughLauncher("bare", env(port), List.of());
    running("bare", launcher);

    List<ProcessHandle> children = launcher.children().toList();
    assertThat(children).hasSize(1);
    ProcessHandle server = children.get(0);
    assertThat(List.of(Files.readString(Path.of("/proc", String.valueOf(server.pid()), "cmdline")).split("\0")))
        .contains("-Xmx" + Launcher.HEAP_LIMIT_MB + "m", "dev.parley.Main");
    assertThat(ready(port)).isEqualTo(200);
    assertThat(Files.readString(processes.log("bare"))).contains("Started by its launcher (pid " + launcher.pid()
        + ") with a heap limit of");

    launcher.destroy();

    assertThat(launcher.waitFor(90, TimeUnit.SECONDS)).as("the launcher exited").isTrue();
    assertThat(launcher.exitValue()).isEqualTo(143);
    assertThat(server.isAlive()).as("the server is stopped").isFalse();
    assertThat(Files.readString(processes.log("bare"))).contains("Parley stopped");
  }

  @Test
  void the_server_stops_by_itself_when_its_launcher_is_killed_outright() throws Exception {
    Process launcher = processes.launchThroughLauncher("killed", env(TestApp.freePort()), List.of());
    running("killed", launcher);
    ProcessHandle server = launcher.children().findFirst().orElseThrow();

    launcher.destroyForcibly();

    assertThat(server.onExit().completeOnTimeout(null, 60, TimeUnit.SECONDS).get()).as("the server exited").isNotNull();
    assertThat(Files.readString(processes.log("killed"))).contains("Parley stopped");
  }

  @Test
  void a_jvm_given_an_option_runs_parley_itself() throws Exception {
    int port = TestApp.freePort();
    Process parley = processes.launchThroughLauncher("sized", env(port), List.of("-Xmx256m"));
    running("sized", parley);

    assertThat(parley.children().toList()).isEmpty();
    assertThat(ready(port)).isEqualTo(200);
    assertThat(Files.readString(processes.log("sized"))).doesNotContain("Started by its launcher");
  }

  @Test
  void the_launcher_exits_with_the_code_of_a_server_that_could_not_start() throws Exception {
    Map<String, String> env = new java.util.HashMap<>(env(TestApp.freePort()));
    env.put("PARLEY_ROLES", "http,no-such-role");
    Process launcher = processes.launchThroughLauncher("broken", env, List.of());

    assertThat(launcher.waitFor(90, TimeUnit.SECONDS)).as("the launcher exited").isTrue();
    assertThat(launcher.exitValue()).isEqualTo(1);
    assertThat(Files.readString(processes.log("broken"))).contains("Started by its launcher", "Parley could not start");
  }

  @Test
  void a_server_given_a_config_value_of_the_wrong_kind_names_its_key_and_exits_with_1() throws Exception {
    Map<String, String> env = new java.util.HashMap<>(env(TestApp.freePort()));
    Path config = processes.configFile(c -> c.getJsonObject("rag").put("commit_interval_ms", "100"));
    env.put("PARLEY_CONFIG", config.toString());
    Process launcher = processes.launchThroughLauncher("wrong-kind", env, List.of());

    assertThat(launcher.waitFor(90, TimeUnit.SECONDS)).as("the launcher exited").isTrue();
    assertThat(launcher.exitValue()).isEqualTo(1);
    assertThat(Files.readString(processes.log("wrong-kind")))
        .contains("Parley could not start: Config key rag.commit_interval_ms must be a number, not a string");
  }

  private Map<String, String> env(int port) throws IOException {
    Path data = Files.createTempDirectory(processes.log("x").getParent(), "data");
    return Map.of("PARLEY_PORT", String.valueOf(port), "PARLEY_HOST", "127.0.0.1",
        "PARLEY_DATA_DIR", data.toString(), "PARLEY_CONFIG", processes.configFile().toString(),
        "PARLEY_SECRET_KEY", TestApp.SECRET_KEY);
  }

  /** Until the process's log says Parley is running (it fails if the process exits first). */
  private void running(String name, Process process) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    while (!Optional.of(processes.log(name)).filter(Files::exists).map(LauncherTest::read).orElse("")
        .contains("Parley is running")) {
      assertThat(process.isAlive()).as("%s exited: %s", name, read(processes.log(name))).isTrue();
      assertThat(System.currentTimeMillis()).as("%s started in time", name).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException unreadable) {
      return "";
    }
  }

  private static int ready(int port) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
