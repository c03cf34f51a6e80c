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
 * are given keys containing {@code TESTCANARY}; a line that shows one is a leak.
 */
public final class LogCanary extends AppenderBase<ILoggingEvent> {

  public static final String MARK = "TESTCANARY";

  private static final AtomicLong LINES = new AtomicLong();
  private static final List<String> HITS = new ArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    LINES.incrementAndGet();
    StringBuilder text = new StringBuilder(event.getFormattedMessage() == null ? "" : event.getFormattedMessage());
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      text.append('\n').append(ThrowableProxyUtil.asString(thrown));
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

  /** Lines that carried a canary key. */
  public static List<String> hits() {
    synchronized (HITS) {
      return List.copyOf(HITS);
    }
  }
}
