package dev.parley.common;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.function.Supplier;

/** One object per Vert.x instance under a name, shared by all its verticles and made on first use. */
public final class NodeLocal {

  private static final String KEY = "instance";

  private NodeLocal() {
  }

  public static <T extends Shareable> T get(Vertx vertx, String name, Supplier<T> make) {
    LocalMap<String, T> registry = vertx.sharedData().getLocalMap(name);
    T existing = registry.get(KEY);
    if (existing != null) {
      return existing;
    }
    T made = make.get();
    T raced = registry.putIfAbsent(KEY, made);
    return raced == null ? made : raced;
  }
}
