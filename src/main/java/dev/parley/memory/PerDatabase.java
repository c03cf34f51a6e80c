package dev.parley.memory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One object per database, shared by every memory verticle instance of the process: made on the first
 * {@link #acquire}, dropped when its last user {@link #release}s it, so a database reopened later (by a restarted
 * verticle, or a test) starts cold. Thread-safe.
 */
final class PerDatabase<T> {

  private record Held<T>(T value, int users) {
  }

  private final Map<String, Held<T>> held = new ConcurrentHashMap<>();

  /** The object of {@code database}, made by {@code make} (given the database's name) when it has none. */
  T acquire(String database, Function<String, T> make) {
    return held.compute(database, (name, h) -> h == null ? new Held<>(make.apply(name), 1)
        : new Held<>(h.value(), h.users() + 1)).value();
  }

  void release(String database) {
    held.computeIfPresent(database, (name, h) -> h.users() == 1 ? null : new Held<>(h.value(), h.users() - 1));
  }
}
