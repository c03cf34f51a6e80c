package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Sender side of the provider component. A request is
 * {@code {bot:{id, provider, model, base_url, api_key_enc, temperature, max_tokens, fallback}, system, messages:[{role, content}]}};
 * the answer is {@code {content, usage:{input_tokens, output_tokens}, cost, provider, model, latency_ms, fallback}}, naming
 * the provider and model that answered ({@code fallback} true when it was the bot's fallback); usage and cost are
 * every attempt's. A failed call that had spent tokens fails with a {@link ParleyException} whose
 * {@link ParleyException#spent()} says how many ({@code {usage, cost, provider, model}}). One per verticle, the
 * request id passed per call.
 */
public final class ProviderClient {

  private final Bus bus;
  private final long timeoutMs;
  private final long heartbeatMs;

  public ProviderClient(Bus bus, Timeouts timeouts) {
    this.bus = bus;
    this.timeoutMs = timeouts.providerMs();
    this.heartbeatMs = timeouts.heartbeatMs();
  }

  /**
   * Asks for the answer. When the provider runs on another node that dies before answering, this fails with
   * 503 {@code provider_node_lost} after three missed heartbeats ({@code timeouts.heartbeat_ms}), not at the timeout.
   */
  /** How long one model request may take ({@code timeouts.provider_ms}): also a turn's budget for its tool loop. */
  public long timeoutMs() {
    return timeoutMs;
  }

  public Future<JsonObject> complete(String requestId, JsonObject request) {
    return bus.request(requestId, Addresses.PROVIDER_COMPLETE, request, timeoutMs, heartbeatMs);
  }

  /** The same, for a request built for this call that nobody changes once it is sent ({@link Bus#handOver}). */
  public Future<JsonObject> completeHandingOver(String requestId, JsonObject request) {
    return bus.handOver(requestId, Addresses.PROVIDER_COMPLETE, request, timeoutMs, heartbeatMs);
  }

  /**
   * Streams the answer to {@code streamAddress} as {@link StreamEvents}: deltas in order, then {@code done} (the
   * same answer as {@link #complete}) or {@code error}. The stream ends with that last message; this request's
   * reply may overtake the last deltas, so only its failure (timeout, no handler, node lost) ends a stream that
   * sent no end of its own.
   */
  public Future<JsonObject> stream(String requestId, JsonObject request, String streamAddress) {
    return bus.request(requestId, Addresses.PROVIDER_STREAM, request.copy().put(Fields.STREAM_ADDRESS, streamAddress), timeoutMs,
        heartbeatMs);
  }

  /**
   * Stops the stream running to {@code streamAddress} because its client has gone: the provider stops the
   * upstream request and fails the {@link #stream} call with 499 {@code client_disconnected}, carrying what was spent up
   * to then. Published, so it
   * reaches the instance running the stream on whichever node; a stream that already ended ignores it.
   */
  public void cancel(String streamAddress) {
    bus.vertx().eventBus().publish(Addresses.PROVIDER_CANCEL, new JsonObject().put(Fields.STREAM_ADDRESS, streamAddress));
  }
}
