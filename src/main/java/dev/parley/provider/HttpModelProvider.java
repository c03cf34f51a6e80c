package dev.parley.provider;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The HTTP skeleton the vendor providers share: one POST of the vendor's JSON body, with its auth headers, to
 * {@code {base_url}{path}} through {@link UpstreamHttp}, read as one JSON answer ({@link #complete}) or as
 * server-sent events that the vendor's {@link StreamDecoder} turns into deltas ({@link #stream}); a non-2xx
 * answer is classified by the vendor's {@link #error}. A subclass says where, how, and how to read the answer.
 */
abstract class HttpModelProvider implements ModelProvider {

  private final UpstreamHttp http;
  private final String name;
  private final String displayName;
  private final String defaultBaseUrl;

  protected HttpModelProvider(UpstreamHttp http, String name, String displayName, String defaultBaseUrl) {
    this.http = http;
    this.name = name;
    this.displayName = displayName;
    this.defaultBaseUrl = defaultBaseUrl;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String displayName() {
    return displayName;
  }

  @Override
  public final String defaultBaseUrl() {
    return defaultBaseUrl;
  }

  @Override
  public final Future<Completion> complete(ModelCall call, Meter meter) {
    return http.postJson(url(call), headers(call), body(call, false), this::error, meter)
        .map(body -> completion(body, meter));
  }

  @Override
  public final Future<Completion> stream(ModelCall call, Consumer<String> onDelta, Meter meter) {
    return http.postStream(url(call), headers(call), body(call, true), this::error, decoder(onDelta, meter), call);
  }

  private String url(ModelCall call) {
    String base = call.baseUrl();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path();
  }

  /** The request path after the base URL. */
  abstract String path();

  /** The auth headers (and any the vendor requires). */
  abstract MultiMap headers(ModelCall call);

  /** The request body, asking for a stream or not. */
  abstract JsonObject body(ModelCall call, boolean stream);

  /** The failure of a non-2xx answer; {@code body} is the parsed error JSON, or null. */
  abstract ProviderFailure error(int status, long retryAfterMs, JsonObject body);

  /** The JSON answer read: its text and why it stopped, with the text and the usage told to {@code meter}. */
  abstract Completion completion(JsonObject body, Meter meter);

  /** A new decoder of the vendor's events, for one attempt. */
  abstract StreamDecoder decoder(Consumer<String> onDelta, Meter meter);

  /** The vendor's {@code error} object of an error body, or null. */
  static JsonObject errorObject(JsonObject body) {
    return body != null && body.getValue("error") instanceof JsonObject error ? error : null;
  }

  /** Passes the count {@code usage[field]} on, when {@code usage} is an object holding a number there. */
  static void tokens(Object usage, String field, LongConsumer count) {
    if (usage instanceof JsonObject counts && counts.getValue(field) instanceof Number tokens) {
      count.accept(tokens.longValue());
    }
  }
}
