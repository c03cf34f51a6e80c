package dev.parley.provider;

import dev.parley.common.Fields;
import dev.parley.common.TokenEstimate;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What one request to the provider spent: every attempt that reached a model (retries, and the bot's own
 * provider before its fallback answered, included), each priced with its own model. Used from the
 * provider verticle's event loop only.
 */
final class Spend {

  private final Pricing pricing;
  private final long promptChars;
  private final List<Meter> attempts = new ArrayList<>();

  Spend(Pricing pricing, JsonObject request) {
    this.pricing = pricing;
    this.promptChars = TokenEstimate.promptChars(request);
  }

  /** A new attempt with {@code model}. */
  Meter attempt(String model) {
    Meter meter = new Meter(model, promptChars);
    attempts.add(meter);
    return meter;
  }

  /** Parley gave up on the call: the attempt still running counts what it spent up to now. */
  void stop() {
    attempts.forEach(Meter::stop);
  }

  boolean any() {
    return attempts.stream().anyMatch(Meter::counts);
  }

  /** {@code {input_tokens, output_tokens, estimated?}} over every attempt. */
  JsonObject usage() {
    long input = 0;
    long output = 0;
    boolean estimated = false;
    for (Meter meter : attempts) {
      input += meter.inputTokens();
      output += meter.outputTokens();
      estimated |= meter.estimated();
    }
    JsonObject usage = new JsonObject().put(Fields.INPUT_TOKENS, input).put(Fields.OUTPUT_TOKENS, output);
    return estimated ? usage.put(Fields.ESTIMATED, true) : usage;
  }

  /** USD over every attempt, each at its model's price. */
  double cost() {
    double cost = 0;
    for (Meter meter : attempts) {
      cost += pricing.cost(meter.model(), meter.inputTokens(), meter.outputTokens());
    }
    return cost;
  }

  /** The {@link Fields#SPENT} of a failure: usage, cost and who was called. */
  JsonObject spent(String provider, String model) {
    return new JsonObject().put(Fields.USAGE, usage()).put(Fields.COST, cost())
        .put(Fields.PROVIDER, provider).put(Fields.MODEL, model);
  }
}
