package dev.parley.notify;

import java.util.HashMap;
import java.util.Map;

/**
 * Mails counted per key (a bot, or one key for all) in the current clock hour on this node: the counts start again at
 * each hour. Holds at most the keys counted in one hour.
 */
final class HourlyCounts {

  private final Map<String, Integer> counts = new HashMap<>();
  private long hour;

  /** Counts one more for {@code key}; how many it has this hour, this one included. */
  int add(String key) {
    long now = System.currentTimeMillis() / 3_600_000L;
    if (now != hour) {
      hour = now;
      counts.clear();
    }
    return counts.merge(key, 1, Integer::sum);
  }
}
