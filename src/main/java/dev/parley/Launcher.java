package dev.parley;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The jar's entry point. A JVM started with no options ({@code java -jar parley.jar}, as the README gives it) takes a
 * quarter of the machine's RAM as its maximum heap, and G1 grows into it under load long before it needs to: on a
 * 24 GiB machine a node serving a chat load held 650 MB for 30 MB of live data (issue 17, docs/performance.md).
 * Neither the maximum heap nor G1's sizing can change once a JVM runs, so when this JVM was given <em>no</em> options
 * at all, it starts Parley ({@link Main}) in a second JVM with a heap limit ({@link #heapLimitMb}: 512 MB, or the
 * JVM's own default where that is smaller) and stays as its launcher:
 * <ul>
 *   <li>the server inherits the command's arguments, environment, working folder, standard input and output;</li>
 *   <li>a signal to the launcher (SIGTERM, SIGINT) stops the server in order, and the launcher exits with the server's
 *   exit code once it has stopped;</li>
 *   <li>the server watches the launcher ({@link #watchLauncher}) and stops itself if it is killed outright.</li>
 * </ul>
 * Any JVM option (on the command line, or in {@code JDK_JAVA_OPTIONS} or {@code JAVA_TOOL_OPTIONS}), or
 * {@code PARLEY_JVM_DEFAULTS=off}, runs Parley in this JVM as launched: an operator who sizes the JVM keeps one
 * process. The Docker image passes its own options and runs in one JVM. If the second JVM cannot be started, Parley
 * runs in this one. This class loads no logging or Vert.x, so the launcher stays small (about 40 MB of RSS, half of it
 * the JVM's shared files).
 */
public final class Launcher {

  /** The heap limit of a server started by the launcher, unless the JVM's own default is smaller. */
  static final long HEAP_LIMIT_MB = 512;

  /** The server's main class, by name: loading {@link Main} here would load much of Vert.x into the launcher. */
  static final String MAIN = "dev.parley.Main";

  /** The system property that tells the server its launcher's pid. */
  static final String LAUNCHER_PID = "parley.launcher.pid";

  private Launcher() {
  }

  public static void main(String[] args) throws InterruptedException {
    Optional<List<String>> command = serverCommand(
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(),
        System.getProperty("PARLEY_JVM_DEFAULTS", System.getenv("PARLEY_JVM_DEFAULTS")),
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), System.getProperty("java.class.path"),
        Runtime.getRuntime().maxMemory(), ProcessHandle.current().pid(),
        ProcessHandle.current().supportsNormalTermination(), args);
    if (command.isEmpty()) {
      Main.main(args);
      return;
    }
    Process server;
    try {
      server = new ProcessBuilder(command.get()).inheritIO().start();
    } catch (IOException cannotStart) {
      System.err.println("Parley: could not start the server JVM (" + cannotStart.getMessage()
          + "); running in this one, with the JVM's default heap");
      Main.main(args);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "parley-launcher-stop"));
    System.gc(); // what the launcher read to get here is garbage now; the heap shrinks after a full collection
    System.exit(server.waitFor());
  }

  /**
   * The command that starts the server JVM, or empty when Parley runs in this one: this JVM was given options
   * ({@code jvmOptions}), {@code PARLEY_JVM_DEFAULTS} is off, or the system cannot ask a process to stop in order
   * ({@code normalTermination} false: Windows, where the launcher could only kill the server).
   */
  static Optional<List<String>> serverCommand(List<String> jvmOptions, String defaultsSetting, String java,
      String classPath, long defaultMaxHeapBytes, long pid, boolean normalTermination, String[] args) {
    if (!jvmOptions.isEmpty() || isOff(defaultsSetting) || !normalTermination || classPath == null
        || classPath.isEmpty()) {
      return Optional.empty();
    }
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heapLimitMb(defaultMaxHeapBytes) + "m",
        "-D" + LAUNCHER_PID + "=" + pid));
    // The jar again with -jar, where this JVM ran one: only -jar applies the manifest's Add-Opens and Add-Exports
    // (Hazelcast's access to JDK internals; with -cp a clustered node warns and goes without). Its Main-Class is this
    // class, which, given options, runs Main.
    command.addAll(isJar(classPath) ? List.of("-jar", classPath) : List.of("-cp", classPath, MAIN));
    command.addAll(Arrays.asList(args));
    return Optional.of(command);
  }

  /** Whether the class path is one jar file, as with {@code java -jar}. */
  private static boolean isJar(String classPath) {
    try {
      return Files.isRegularFile(Path.of(classPath));
    } catch (InvalidPathException notOnePath) {
      return false;
    }
  }

  /** {@link #HEAP_LIMIT_MB}, or the JVM's default maximum heap where that is smaller (a machine under 2 GB). */
  static long heapLimitMb(long defaultMaxHeapBytes) {
    return Math.max(16, Math.min(HEAP_LIMIT_MB, defaultMaxHeapBytes / (1024 * 1024)));
  }

  /** Whether {@code PARLEY_JVM_DEFAULTS} says to leave the JVM as launched. */
  static boolean isOff(String setting) {
    return setting != null && List.of("off", "false", "no", "0").contains(setting.strip().toLowerCase(Locale.ROOT));
  }

  /** Asks the server to stop (SIGTERM) and waits for it: its own shutdown is bounded. */
  private static void stop(Process server) {
    server.destroy();
    try {
      server.waitFor();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * In a server started by the launcher: stops this process when the launcher is gone (killed with SIGKILL, say),
   * which the JVM notices within 5 s. Returns the launcher's pid, or -1 when this JVM was not started by one.
   */
  static long watchLauncher() {
    String pid = System.getProperty(LAUNCHER_PID);
    if (pid == null) {
      return -1;
    }
    long launcher;
    try {
      launcher = Long.parseLong(pid.strip());
    } catch (NumberFormatException notAPid) {
      org.slf4j.LoggerFactory.getLogger(Launcher.class).warn("{} is not a process id; no launcher is watched", LAUNCHER_PID);
      return -1;
    }
    ProcessHandle.of(launcher).map(ProcessHandle::onExit).orElse(java.util.concurrent.CompletableFuture.completedFuture(null))
        .thenRun(() -> new Thread(() -> {
          // the logger is named here, not in a field: the launcher itself loads no logging
          org.slf4j.LoggerFactory.getLogger(Launcher.class).warn("The launcher (pid {}) is gone: stopping", launcher);
          System.exit(0);
        }, "parley-launcher-gone").start());
    return launcher;
  }
}
