package dev.parley.bot;

import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import dev.parley.common.KeyScope;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks of a bot's settings against the rest of the deployment, which {@link BotSettings} cannot make alone:
 * the provider is one that runs, a base URL of its own comes with a key of its own ({@link KeyScope}), and a
 * daily cost budget is on models that have a price. A save fails with 422 naming the field on the first
 * refusal; the admin view shows every problem of a stored bot as {@code warnings}, refusals and mere warnings
 * alike (a budget on the extractive provider, which neither spends tokens nor costs anything).
 */
final class BotChecks {

  private static final Logger LOG = LoggerFactory.getLogger(BotChecks.class);

  /** One problem; {@code refused} ones fail a save. */
  record Problem(String field, String message, boolean refused) {

    JsonObject toJson() {
      return new JsonObject().put("field", field).put("message", message);
    }
  }

  private final Vertx vertx;
  private final KnownProviders known;
  private final JsonObject configuredBaseUrls;
  private final long timeoutMs;

  /** {@code configuredBaseUrls}: the server's base URL per built-in provider ({@code {openai: …, anthropic: …}}). */
  BotChecks(Vertx vertx, KnownProviders known, JsonObject configuredBaseUrls, long timeoutMs) {
    this.vertx = vertx;
    this.known = known;
    this.configuredBaseUrls = configuredBaseUrls == null ? new JsonObject() : configuredBaseUrls;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Fails with the first refusal of {@code settings}. The provider is only checked when it is new
   * ({@code storedProvider} differs), so a bot keeps its settings while its custom provider restarts.
   */
  Future<Void> refuse(JsonObject settings, boolean keySet, String storedProvider) {
    String provider = settings.getString("provider");
    Future<Void> named = provider.equals(storedProvider) ? Future.succeededFuture() : known.require(provider);
    return named.compose(ok -> problems(settings, keySet)).compose(problems -> {
      for (Problem problem : problems) {
        if (problem.refused()) {
          return Future.failedFuture(ParleyException.invalid(problem.field(), problem.message()));
        }
      }
      return Future.succeededFuture();
    });
  }

  /** Every problem of a stored bot, as {@code [{field, message}]}. */
  Future<JsonArray> warnings(JsonObject bot) {
    String provider = bot.getString("provider");
    return known.require(provider).transform(named -> problems(bot, bot.getValue("api_key_enc") != null).map(found -> {
      JsonArray warnings = new JsonArray();
      if (named.failed()) {
        warnings.add(new Problem("provider", named.cause().getMessage() + ": chats fail until it runs", true).toJson());
      }
      found.forEach(problem -> warnings.add(problem.toJson()));
      return warnings;
    }));
  }

  private Future<List<Problem>> problems(JsonObject settings, boolean keySet) {
    List<Problem> problems = new ArrayList<>();
    String provider = settings.getString("provider");
    String baseUrl = settings.getString("base_url");
    if (KeyScope.VENDOR_BASE_URLS.containsKey(provider) && baseUrl != null && !keySet
        && !KeyScope.covers(KeyScope.home(provider, configuredBaseUrls.getString(provider)), baseUrl)) {
      problems.add(new Problem("api_key", "A bot with its own base_url brings its own api_key: the server's "
          + provider + " key is only sent to the provider's configured base URL", true));
    }
    JsonObject budget = settings.getJsonObject("budget", new JsonObject());
    if ("extractive".equals(provider) && (budget.getValue("daily_tokens") != null || budget.getValue("daily_cost") != null)) {
      problems.add(new Problem("budget", "The extractive provider uses no tokens and costs nothing: its budget never"
          + " applies (a fallback's answers do count)", false));
    }
    if (budget.getValue("daily_cost") == null) {
      return Future.succeededFuture(problems);
    }
    JsonObject fallback = settings.getJsonObject("fallback");
    Future<Problem> own = unpriced(provider, settings.getString("model"), "budget.daily_cost");
    Future<Problem> second = fallback == null ? Future.succeededFuture()
        : unpriced(fallback.getString("provider"), fallback.getString("model"), "fallback.model");
    return Future.all(own, second).map(done -> {
      for (Problem problem : new Problem[] {own.result(), second.result()}) {
        if (problem != null) {
          problems.add(problem);
        }
      }
      return problems;
    });
  }

  /**
   * A refusal when a built-in provider's model has no price, so a daily cost budget would never be reached; null
   * otherwise. When the provider step cannot be asked, the model is taken as priced (and a warning logged).
   */
  private Future<Problem> unpriced(String provider, String model, String field) {
    if (!KeyScope.VENDOR_BASE_URLS.containsKey(provider)) {
      return Future.succeededFuture();
    }
    return vertx.eventBus().<JsonObject>request(Addresses.PROVIDER_PRICE, new JsonObject().put(Fields.MODEL, model),
            new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(reply -> reply.body().getBoolean("priced", false) ? null : new Problem(field, "The model '" + model
            + "' has no price in the price file, so budget.daily_cost would never be reached: add it to the price file,"
            + " set provider.default_price, or use budget.daily_tokens", true))
        .recover(unreachable -> {
          LOG.warn("Could not ask the provider step for the price of model {}: {}", model, unreachable.getMessage());
          return Future.succeededFuture();
        });
  }
}
