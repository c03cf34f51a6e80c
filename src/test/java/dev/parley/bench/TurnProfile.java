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
 * Prints numbers; asserts nothing.
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
    double msPerTurn = 0;
    List<Path> recordings = new ArrayList<>();
    for (String arg : args) {
      if (arg.endsWith(".jfr")) {
        recordings.add(Path.of(arg));
      } else {
        msPerTurn = Double.parseDouble(arg);
      }
    }
    Map<String, Integer> kinds = new HashMap<>();
    Map<String, Integer> frames = new HashMap<>();
    Map<String, Integer> parley = new HashMap<>();
    int samples = 0;
    for (Path file : recordings) {
      try (RecordingFile recording = new RecordingFile(file)) {
        while (recording.hasMoreEvents()) {
          RecordedEvent event = recording.readEvent();
          if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
            continue;
          }
          samples++;
          RecordedStackTrace stack = event.getStackTrace();
          RecordedFrame first = firstNonJdk(stack);
          String kind = underBusCopy(stack) ? BUS_COPY : kindOf(first);
          kinds.merge(kind, 1, Integer::sum);
          frames.merge(first == null ? "(JDK only)" : name(first), 1, Integer::sum);
          RecordedFrame own = firstParley(stack);
          if (own != null) {
            parley.merge(name(own), 1, Integer::sum);
          }
        }
      }
    }
    System.out.printf("%d Java execution samples%s%n", samples,
        msPerTurn > 0 ? String.format(", scaled to %.3f ms of Java-thread CPU per turn", msPerTurn) : "");
    print("kind of work", kinds, samples, msPerTurn, 100);
    print("first non-JDK frame (self)", frames, samples, msPerTurn, 30);
    print("nearest Parley frame (inclusive of what it calls)", parley, samples, msPerTurn, 25);
  }

  private static void print(String title, Map<String, Integer> counts, int samples, double msPerTurn, int most) {
    System.out.printf("%n%-78s %8s %7s%s%n", title, "samples", "share", msPerTurn > 0 ? "   ms/turn" : "");
    LinkedHashMap<String, Integer> sorted = new LinkedHashMap<>();
    counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(most)
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    sorted.forEach((name, n) -> {
      double share = (double) n / Math.max(1, samples);
      System.out.printf("%-78s %8d %6.1f%%%s%n", name.length() > 78 ? name.substring(0, 78) : name, n, 100 * share,
          msPerTurn > 0 ? String.format("   %7.4f", share * msPerTurn) : "");
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
