package dev.parley.common;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.shareddata.LocalMap;

/**
 * Requests prefer a handler on their own node. The clustered event bus picks any node that
 * serves an address, round-robin; Parley also registers every handler under a node-local alias
 * ({@code address#local}), and {@link Bus} sends there first when this node has one, falling
 * back to the cluster-wide address when it has none (or no longer has one).
 */
public final class LocalFirst {

  private static final String SUFFIX = "#local";
  private static final String REGISTRY = "parley.local.handlers";

  private LocalFirst() {
  }

  static String alias(String address) {
    return address + SUFFIX;
  }

  /** Whether {@code address} is a node-local alias: what is sent there never leaves the node. */
  static boolean isAlias(String address) {
    return address != null && address.endsWith(SUFFIX);
  }

  /** Whether a handler for {@code address} was registered on this node (it may have gone since). */
  static boolean hasLocal(Vertx vertx, String address) {
    return registry(vertx).containsKey(address);
  }

  /** Registers the node-local alias of {@code address}, unregistered with its verticle. */
  public static <T> MessageConsumer<T> registerAlias(Vertx vertx, String address, Handler<Message<T>> handler) {
    registry(vertx).put(address, Boolean.TRUE);
    return vertx.eventBus().localConsumer(alias(address), handler);
  }

  private static LocalMap<String, Boolean> registry(Vertx vertx) {
    return vertx.sharedData().getLocalMap(REGISTRY);
  }
}
