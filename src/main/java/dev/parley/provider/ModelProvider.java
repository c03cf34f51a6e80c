package dev.parley.provider;

import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * A model vendor's API. One implementation per vendor, registered by name in
 * {@link ProviderVerticle}; each method makes a single attempt ({@link CallLoop} adds retries,
 * the deadline and the fallback, the verticle the event-bus side). Failures should be {@link ProviderFailure}s, which
 * the loop may retry, or {@link dev.parley.common.ParleyException}s, which it passes on.
 */
public interface ModelProvider {

  /** The name bots use in their {@code provider} field, lower case. */
  String name();

  /** The vendor's name in messages a user may see. */
  default String displayName() {
    return name();
  }

  /** The base URL used when neither the bot nor the config sets one (null if there is none). */
  default String defaultBaseUrl() {
    return null;
  }

  /** Whether a call needs an API key (the verticle fails {@code provider_not_configured} without one). */
  default boolean requiresApiKey() {
    return true;
  }

  /** Answers at once; tells {@code meter} when the request went out, the usage the vendor reported and the text. */
  Future<Completion> complete(ModelCall call, Meter meter);

  /**
   * Streams the answer: {@code onDelta} gets each piece of text in order, as it arrives, and {@code meter}
   * is kept up to date as it does (usage as soon as the vendor reports it), so a stream stopped half-way
   * still tells what it spent.
   */
  Future<Completion> stream(ModelCall call, Consumer<String> onDelta, Meter meter);
}
