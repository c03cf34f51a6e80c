package dev.parley.bot;

import dev.parley.common.Addresses;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The provider names a bot may use: the built-in ones and those custom providers announced
 * ({@link dev.parley.common.ProviderAnnouncements}). It listens to announcements from every node and asks for
 * them once it starts, so a bot verticle that starts after the providers learns them too. A name it has not
 * heard of is asked for again, and waited for up to {@code discoveryMs}, before it is refused: a provider may
 * have started a moment ago. Announced names are kept for the process's life; a provider that stops is
 * still a known name, and its bots fail at chat time with {@code unknown_provider}.
 */
final class KnownProviders {

  static final Set<String> BUILT_IN = Set.of("openai", "anthropic", "extractive");

  private final Vertx vertx;
  private final long discoveryMs;
  private final Set<String> announced = ConcurrentHashMap.newKeySet();
  private final List<Runnable> waiting = new ArrayList<>();
  private MessageConsumer<JsonObject> consumer;

  KnownProviders(Vertx vertx, long discoveryMs) {
    this.vertx = vertx;
    this.discoveryMs = discoveryMs;
  }

  /** Starts listening, then asks the running providers to announce themselves. */
  Future<Void> start() {
    consumer = vertx.eventBus().consumer(Addresses.EVENTS_PROVIDER_ANNOUNCED, event -> {
      if (event.body() != null && event.body().getValue(Fields.NAME) instanceof String name) {
        announced.add(name);
        List<Runnable> wake = new ArrayList<>(waiting);
        waiting.clear();
        wake.forEach(Runnable::run);
      }
    });
    return consumer.completion().onSuccess(ready -> discover());
  }

  boolean contains(String name) {
    return BUILT_IN.contains(name) || announced.contains(name);
  }

  /** Every known name, sorted. */
  Set<String> names() {
    Set<String> names = new TreeSet<>(BUILT_IN);
    names.addAll(announced);
    return names;
  }

  /** Succeeds when {@code name} is known, at once or after asking again; else fails 422 {@code unknown_provider}. */
  Future<Void> require(String name) {
    if (contains(name)) {
      return Future.succeededFuture();
    }
    Promise<Void> known = Promise.promise();
    Runnable check = new Runnable() {
      @Override
      public void run() {
        if (contains(name)) {
          known.tryComplete();
        } else if (!known.future().isComplete()) {
          waiting.add(this);
        }
      }
    };
    waiting.add(check);
    long timer = vertx.setTimer(Math.max(1, discoveryMs), t -> {
      waiting.remove(check);
      known.tryFail(unknown(name));
    });
    discover();
    return known.future().onComplete(done -> vertx.cancelTimer(timer));
  }

  ParleyException unknown(String name) {
    return new ParleyException(ErrorCodes.UNPROCESSABLE, "unknown_provider", "No provider named '" + name
        + "' is running; known providers are " + String.join(", ", names()), "provider", 0);
  }

  private void discover() {
    vertx.eventBus().publish(Addresses.PROVIDER_DISCOVER, new JsonObject());
  }
}
