package dev.parley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of this process's threads, grouped by what their names say they do (Linux {@code /proc/self/task}; native
 * threads such as ONNX Runtime's count too, which a JFR profile does not sample). Take a snapshot before and after a
 * phase and print {@link #since}. Prints numbers; asserts nothing.
 */
final class ThreadCpu {

  /** Thread-name prefixes (as Linux keeps them: 15 characters) and the group each names, tried in order. */
  private static final List<String[]> GROUPS = List.of(
      new String[] {"parley-embeddi", "embedding model (one ONNX Runtime thread per text, one per core)"},
      new String[] {"java", "native threads named java (the main thread; ONNX Runtime pools, if any)"},
      new String[] {"parley-rag-inge", "ingestion workers (extraction, one-text embeddings, index writes, commits)"},
      new String[] {"parley-rag-sear", "search workers"},
      new String[] {"vert.x-eventloo", "event loops (HTTP server and client, bus, Parley's handlers)"},
      new String[] {"vert.x-worker-t", "Vert.x workers (the JDBC client: SQLite)"},
      new String[] {"vert.x-internal", "Vert.x internal workers (file system)"},
      new String[] {"Lucene Merge Th", "Lucene merges"},
      new String[] {"GC Thread", "garbage collector"},
      new String[] {"G1 ", "garbage collector"},
      new String[] {"C1 CompilerThre", "JIT compilers"},
      new String[] {"C2 CompilerThre", "JIT compilers"});
  private static final double TICKS_PER_MS = 100 / 1000.0; // USER_HZ: 100 on Linux

  private ThreadCpu() {
  }

  /** CPU ticks of the whole process so far, the threads that ended included. */
  static long process() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException e) {
      return 0;
    }
  }

  /** CPU ticks per thread id, with its name. */
  static Map<String, long[]> snapshot() {
    Map<String, long[]> out = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.put(task.getFileName() + " " + Files.readString(task.resolve("comm")).strip(),
              new long[] {Long.parseLong(fields[11]) + Long.parseLong(fields[12])});
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** CPU milliseconds per group since {@code before}, largest first, with the total under "all threads". */
  static Map<String, Double> since(Map<String, long[]> before) {
    Map<String, Double> groups = new HashMap<>();
    double total = 0;
    for (Map.Entry<String, long[]> now : snapshot().entrySet()) {
      long[] then = before.get(now.getKey());
      double ms = (now.getValue()[0] - (then == null ? 0 : then[0])) / TICKS_PER_MS;
      if (ms <= 0) {
        continue;
      }
      String name = now.getKey().substring(now.getKey().indexOf(' ') + 1);
      String group = "other (" + name.replaceAll("[0-9#-]+$", "") + ")";
      for (String[] g : GROUPS) {
        if (name.startsWith(g[0])) {
          group = g[1];
          break;
        }
      }
      groups.merge(group, ms, Double::sum);
      total += ms;
    }
    Map<String, Double> sorted = new LinkedHashMap<>();
    groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    sorted.put("all threads", total);
    return sorted;
  }

  /** Prints each group's CPU per {@code unit} (e.g. per document) and its share of the total. */
  static void print(Map<String, Double> groups, int units, String unit) {
    double total = groups.getOrDefault("all threads", 0.0);
    groups.forEach((group, ms) -> System.out.printf("  %-80s %8.0f ms CPU = %6.2f ms per %s (%4.1f%%)%n", group, ms,
        ms / units, unit, 100 * ms / Math.max(1, total)));
  }
}
