package dev.parley.tool;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-bot limit of tool calls per minute ({@code tool.calls_per_minute_per_bot}, 0: none), counted in fixed
 * one-minute windows per node. At most {@value #MAX_BOTS} bots are tracked; the least recently seen is forgotten
 * first. Used from the verticle's event loop only.
 */
final class CallRate {

  static final int MAX_BOTS = 10_000;

  private final int perMinute;
  private final Map<String, long[]> windows = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
      return size() > MAX_BOTS;
    }
  };

  CallRate(int perMinute) {
    this.perMinute = perMinute;
  }

  /** Counts a call of {@code botId} now; false when the bot has used up this minute's calls. */
  boolean admit(String botId, long now) {
    if (perMinute <= 0) {
      return true;
    }
    long minute = now / 60_000;
    long[] window = windows.computeIfAbsent(botId, id -> new long[] {minute, 0});
    if (window[0] != minute) {
      window[0] = minute;
      window[1] = 0;
    }
    if (window[1] >= perMinute) {
      return false;
    }
    window[1]++;
    return true;
  }
}
