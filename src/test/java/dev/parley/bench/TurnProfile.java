package dev.parley.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's Java execution samples went, by kind of work: {@code java
 * src/test/java/dev/parley/bench/TurnProfile.java recording.jfr... [java-thread CPU ms per turn]} (several recordings are
 * counted together; JDK classes only, so
 * it runs as a single source file; {@code bench/perf cpu} runs it). A sample counts for the first frame from the top
 * of its stack that is not JDK code nor a header map (a {@code HashMap.get} called by Micrometer is metrics, the hashing
 * of a header name added by {@code DeliveryOptions} is the event bus), except that a sample
 * anywhere under an event-bus codec's {@code transform} is the bus's copy for local delivery. Given the CPU
 * milliseconds per turn of the threads that run Java code, each share is also printed as milliseconds per turn.
 * With {@code --allocations} it weighs the recording's allocations instead (each new TLAB by its size and each
 * allocation outside a TLAB by its own, at the stack of the allocation that asked for it), the same way, and adds the
 * classes allocated; given the number of turns the recording
 * saw, each share is also printed as kilobytes per turn. Prints numbers; asserts nothing.
 */
public final class TurnProfile {

  /** Kinds of work by package prefix, tried in order; the first that matches a frame's class names it. */
  private static final List<String[]> KINDS = List.of(
      new String[] {"com.fasterxml.jackson.", "JSON encoding and parsing (Jackson)"},
      new String[] {"io.vertx.core.json.jackson.", "JSON encoding and parsing (Jackson)"},
      new String[] {"io.vertx.core.json.", "JSON objects (JsonObject/JsonArray get, put, copy)"},
      new String[] {"org.sqlite.", "SQLite and the JDBC client"},
      new String[] {"io.vertx.jdbcclient.", "SQLite and the JDBC client"},
      new String[] {"io.vertx.ext.jdbc.", "SQLite and the JDBC client"},
      new String[] {"io.vertx.sqlclient.", "SQLite and the JDBC client"},
      new String[] {"io.micrometer.", "metrics (Micrometer, Vert.x meters)"},
      new String[] {"io.vertx.micrometer.", "metrics (Micrometer, Vert.x meters)"},
      new String[] {"io.prometheus.", "metrics (Micrometer, Vert.x meters)"},
      new String[] {"org.slf4j.", "logging"},
      new String[] {"ch.qos.logback.", "logging"},
      new String[] {"org.apache.logging.", "logging"},
      new String[] {"io.vertx.core.logging.", "logging"},
      new String[] {"io.vertx.core.eventbus.", "event bus (delivery, headers, replies)"},
      new String[] {"io.netty.", "HTTP and sockets (Netty, Vert.x HTTP)"},
      new String[] {"io.vertx.core.http.", "HTTP and sockets (Netty, Vert.x HTTP)"},
      new String[] {"io.vertx.core.net.", "HTTP and sockets (Netty, Vert.x HTTP)"},
      new String[] {"io.vertx.ext.web.", "vertx-web (router, handlers)"},
      new String[] {"io.vertx.", "Vert.x core (futures, contexts, timers, shared data)"},
      new String[] {"dev.parley.", "Parley's own code"});
  private static final String BUS_COPY = "event-bus JSON copies for local delivery";
  /** JDK code, and the header maps and hashing that HTTP and the event bus share: the caller names the work. */
  private static final String[] JDK = {"java.", "javax.", "jdk.", "sun.", "com.sun.", "io.netty.util.",
      "io.vertx.core.http.impl.headers.", "io.netty.handler.codec.DefaultHeaders"};

  private TurnProfile() {
  }

  public static void main(String[] args) throws Exception {
    double perTurn = 0;
    boolean allocations = false;
    List<Path> recordings = new ArrayList<>();
    for (String arg : args) {
      if (arg.endsWith(".jfr")) {
        recordings.add(Path.of(arg));
      } else if (arg.equals("--allocations")) {
        allocations = true;
      } else {
        perTurn = Double.parseDouble(arg);
      }
    }
    Map<String, Long> kinds = new HashMap<>();
    Map<String, Long> frames = new HashMap<>();
    Map<String, Long> parley = new HashMap<>();
    Map<String, Long> classes = new HashMap<>();
    long total = 0;
    for (Path file : recordings) {
      try (RecordingFile recording = new RecordingFile(file)) {
        while (recording.hasMoreEvents()) {
          RecordedEvent event = recording.readEvent();
          long weight = weight(event, allocations);
          if (weight == 0 || event.getStackTrace() == null) {
            continue;
          }
          total += weight;
          RecordedStackTrace stack = event.getStackTrace();
          RecordedFrame first = firstNonJdk(stack);
          String kind = underBusCopy(stack) ? BUS_COPY : kindOf(first);
          kinds.merge(kind, weight, Long::sum);
          frames.merge(first == null ? "(JDK only)" : name(first), weight, Long::sum);
          RecordedFrame own = firstParley(stack);
          if (own != null) {
            parley.merge(name(own), weight, Long::sum);
          }
          if (allocations) {
            classes.merge(event.getClass("objectClass").getName(), weight, Long::sum);
          }
        }
      }
    }
    Unit unit = allocations ? new Unit("MB", 1024.0 * 1024, "KB/turn", perTurn > 0 ? 1 / (1024.0 * perTurn) : 0)
        : new Unit("samples", 1, "ms/turn", perTurn > 0 ? perTurn / Math.max(1, total) : 0);
    if (allocations) {
      System.out.printf("%.1f MB allocated (new TLABs and allocations outside them)%s%n", total / unit.divisor(),
          perTurn > 0 ? String.format(", over %.0f turns: %.1f KB per turn", perTurn, total * unit.perTurn()) : "");
    } else {
      System.out.printf("%d Java execution samples%s%n", total,
          perTurn > 0 ? String.format(", scaled to %.3f ms of Java-thread CPU per turn", perTurn) : "");
    }
    print("kind of work", kinds, total, unit, 100);
    print("first non-JDK frame (self)", frames, total, unit, 30);
    print("nearest Parley frame (inclusive of what it calls)", parley, total, unit, 25);
    if (allocations) {
      print("class allocated", classes, total, unit, 20);
    }
  }

  /**
   * What an event counts for: an execution sample 1; with {@code allocations}, a new TLAB the bytes of that TLAB and
   * an allocation outside one its size, both at the stack of the allocation that asked for them (JDK 17's
   * {@code jdk.ObjectAllocationSample} weights overstated the bytes up to 20-fold in this project's runs); other
   * events 0.
   */
  private static long weight(RecordedEvent event, boolean allocations) {
    String type = event.getEventType().getName();
    if (!allocations) {
      return type.equals("jdk.ExecutionSample") ? 1 : 0;
    }
    if (type.equals("jdk.ObjectAllocationInNewTLAB")) {
      return event.getLong("tlabSize");
    }
    return type.equals("jdk.ObjectAllocationOutsideTLAB") ? event.getLong("allocationSize") : 0;
  }

  /**
   * How a profile's weights print: in {@code name} after dividing by {@code divisor}, and, multiplied by
   * {@code perTurn} (0: not printed), in {@code perTurnName}.
   */
  private record Unit(String name, double divisor, String perTurnName, double perTurn) {
  }

  private static void print(String title, Map<String, Long> weights, long total, Unit unit, int most) {
    System.out.printf("%n%-78s %8s %7s%s%n", title, unit.name(), "share",
        unit.perTurn() > 0 ? String.format(" %10s", unit.perTurnName()) : "");
    LinkedHashMap<String, Long> sorted = new LinkedHashMap<>();
    weights.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(most)
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    sorted.forEach((name, w) -> {
      double share = (double) w / Math.max(1, total);
      System.out.printf("%-78s %8.0f %6.1f%%%s%n", name.length() > 78 ? name.substring(0, 78) : name,
          w / unit.divisor(), 100 * share, unit.perTurn() > 0 ? String.format("   %8.4f", w * unit.perTurn()) : "");
    });
  }

  private static boolean underBusCopy(RecordedStackTrace stack) {
    for (RecordedFrame frame : stack.getFrames()) {
      if (frame.isJavaFrame() && frame.getMethod().getName().equals("transform")
          && frame.getMethod().getType().getName().startsWith("io.vertx.core.eventbus.impl.codecs.")) {
        return true;
      }
    }
    return false;
  }

  private static RecordedFrame firstNonJdk(RecordedStackTrace stack) {
    for (RecordedFrame frame : stack.getFrames()) {
      if (frame.isJavaFrame() && !isJdk(frame.getMethod().getType().getName())) {
        return frame;
      }
    }
    return null;
  }

  private static RecordedFrame firstParley(RecordedStackTrace stack) {
    for (RecordedFrame frame : stack.getFrames()) {
      if (frame.isJavaFrame() && frame.getMethod().getType().getName().startsWith("dev.parley.")) {
        return frame;
      }
    }
    return null;
  }

  private static String kindOf(RecordedFrame frame) {
    if (frame == null) {
      return "JDK only (no library frame sampled)";
    }
    String type = frame.getMethod().getType().getName();
    for (String[] kind : KINDS) {
      if (type.startsWith(kind[0])) {
        return kind[1];
      }
    }
    String[] parts = type.split("\\.");
    return "other: " + (parts.length > 2 ? parts[0] + "." + parts[1] + "." + parts[2] : type);
  }

  private static boolean isJdk(String type) {
    for (String prefix : JDK) {
      if (type.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static String name(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }
}
