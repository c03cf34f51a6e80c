package dev.parley.security;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A logback appender (attached to the root logger in {@code logback-test.xml}, so it sees every
 * line of the whole test run, all levels) that records lines carrying a canary API key. Test bots
 * are given keys containing {@code TESTCANARY}; a line that shows one is a leak. It also keeps the
 * lines logged with an exception, for tests that a path throws nothing unhandled.
 */
public final class LogCanary extends AppenderBase<ILoggingEvent> {

  public static final String MARK = "TESTCANARY";

  private static final AtomicLong LINES = new AtomicLong();
  private static final List<String> HITS = new ArrayList<>();
  private static final List<String> THROWN = new ArrayList<>();
  private static final int MAX_THROWN = 1_000;

  @Override
  protected void append(ILoggingEvent event) {
    LINES.incrementAndGet();
    StringBuilder text = new StringBuilder(event.getFormattedMessage() == null ? "" : event.getFormattedMessage());
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      text.append('\n').append(ThrowableProxyUtil.asString(thrown));
      synchronized (THROWN) {
        if (THROWN.size() < MAX_THROWN) {
          THROWN.add(event.getLoggerName() + ": " + event.getFormattedMessage() + ": " + thrown.getClassName());
        }
      }
    }
    event.getMDCPropertyMap().forEach((k, v) -> text.append(' ').append(k).append('=').append(v));
    if (text.indexOf(MARK) >= 0) {
      synchronized (HITS) {
        HITS.add(event.getLoggerName() + ": " + text);
      }
    }
  }

  /** Lines logged so far in this JVM. */
  public static long lines() {
    return LINES.get();
  }

  /** How many lines with an exception were logged so far in this JVM (the first {@value #MAX_THROWN} are kept). */
  public static int thrownCount() {
    synchronized (THROWN) {
      return THROWN.size();
    }
  }

  /** Lines logged with an exception, from number {@code from} on: {@code logger: message: exception class}. */
  public static List<String> thrownSince(int from) {
    synchronized (THROWN) {
      return List.copyOf(THROWN.subList(Math.min(from, THROWN.size()), THROWN.size()));
    }
  }

  /** Lines that carried a canary key. */
  public static List<String> hits() {
    synchronized (HITS) {
      return List.copyOf(HITS);
    }
  }
}
