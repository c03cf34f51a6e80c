package dev.parley.provider;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model prices in USD per million input and output tokens, from a JSON file
 * {@code {"models": {"gpt-4o": {"input": 2.5, "output": 10}, …}}}. A model is matched by its
 * exact name, then by the longest listed prefix ({@code gpt-4o-2024-08-06} → {@code gpt-4o}),
 * then the same for the part after the last {@code /} ({@code openai/gpt-4o} on a router).
 * An unknown model costs the default price when one is configured ({@link #withDefault}), else 0.
 */
public final class Pricing {

  private static final Logger LOG = LoggerFactory.getLogger(Pricing.class);

  /** USD per million tokens. */
  public record Price(double input, double output) {
  }

  private final Map<String, Price> prices;
  private final Price fallback;

  private Pricing(Map<String, Price> prices) {
    this(prices, null);
  }

  private Pricing(Map<String, Price> prices, Price fallback) {
    this.prices = prices;
    this.fallback = fallback;
  }

  /** The same table, pricing unlisted models at {@code price} (null: they cost 0). */
  public Pricing withDefault(Price price) {
    return new Pricing(prices, price);
  }

  /** {@code {model, priced, input, output, source: table|default|null}}, as {@code parley.provider.price} answers. */
  public JsonObject describe(String model) {
    Price listed = listed(model);
    Price price = listed != null ? listed : fallback;
    return new JsonObject().put("model", model).put("priced", price != null)
        .put("input", price == null ? null : price.input()).put("output", price == null ? null : price.output())
        .put("source", listed != null ? "table" : price != null ? "default" : null);
  }

  public static Pricing of(JsonObject file) {
    Map<String, Price> prices = new TreeMap<>();
    JsonObject models = file.getJsonObject("models", new JsonObject());
    for (String model : models.fieldNames()) {
      JsonObject price = models.getJsonObject(model);
      prices.put(model.toLowerCase(), new Price(price.getDouble("input", 0.0), price.getDouble("output", 0.0)));
    }
    return new Pricing(prices);
  }

  public static Pricing empty() {
    return new Pricing(Map.of());
  }

  /**
   * Reads the file off the event loop: from disk if the path exists, else from the classpath
   * (the jar packages {@code conf/}). A file found nowhere leaves every cost at 0; a file that
   * is not valid JSON fails the start.
   */
  public static Future<Pricing> load(Vertx vertx, String file) {
    return vertx.executeBlocking(() -> {
      String text = read(file);
      if (text == null) {
        LOG.warn("Price file {} not found on disk or on the classpath: costs will be recorded as 0", file);
        return empty();
      }
      Pricing pricing = of(new JsonObject(text));
      LOG.info("Loaded prices of {} models from {}", pricing.prices.size(), file);
      return pricing;
    });
  }

  private static String read(String file) throws IOException {
    Path path = Path.of(file);
    if (Files.isRegularFile(path)) {
      return Files.readString(path, StandardCharsets.UTF_8);
    }
    String resource = file.startsWith("/") ? file.substring(1) : file;
    try (InputStream in = Pricing.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The price of a model: its listed one, else the default price (null when there is neither). */
  public Price price(String model) {
    Price listed = listed(model);
    return listed != null ? listed : fallback;
  }

  private Price listed(String model) {
    if (model == null || model.isBlank()) {
      return null;
    }
    String name = model.toLowerCase();
    Price price = match(name);
    int slash = name.lastIndexOf('/');
    if (price == null && slash >= 0 && slash < name.length() - 1) {
      price = match(name.substring(slash + 1));
    }
    return price;
  }

  /** The cost in USD of a call, 0 for an unknown model without a default price. */
  public double cost(String model, long inputTokens, long outputTokens) {
    Price price = price(model);
    if (price == null) {
      return 0.0;
    }
    return (inputTokens * price.input() + outputTokens * price.output()) / 1_000_000.0;
  }

  private Price match(String name) {
    Price exact = prices.get(name);
    if (exact != null) {
      return exact;
    }
    String best = null;
    for (String listed : prices.keySet()) {
      if (name.startsWith(listed) && (best == null || listed.length() > best.length())) {
        best = listed;
      }
    }
    return best == null ? null : prices.get(best);
  }
}
