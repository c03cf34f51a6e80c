package dev.parley.bot;

import dev.parley.common.Addresses;
import dev.parley.common.BusHandlers;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.LocalBots;
import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import dev.parley.common.Timeouts;
import dev.parley.db.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;

/**
 * Owns bots and their encrypted API keys.
 *
 * <table>
 *   <caption>Addresses consumed</caption>
 *   <tr><td>{@code parley.bot.create}</td><td>bot fields as in the HTTP API</td><td>the bot; 422 on invalid fields</td></tr>
 *   <tr><td>{@code parley.bot.list}</td><td>{}</td><td>{@code {bots:[…]}}</td></tr>
 *   <tr><td>{@code parley.bot.get}</td><td>{@code {bot_id, include_secret?, include_warnings?}}</td><td>the bot (with
 *   {@code api_key_enc} when {@code include_secret}; with {@code warnings: [{field, message}]} when
 *   {@code include_warnings}); 404</td></tr>
 *   <tr><td>{@code parley.bot.update}</td><td>{@code {bot_id, patch}}</td><td>the bot; 404, 422</td></tr>
 *   <tr><td>{@code parley.bot.delete}</td><td>{@code {bot_id}}</td><td>{}; 404. Conversations and messages go with it.</td></tr>
 *   <tr><td>{@code parley.bot.status}</td><td>{@code {bot_id, provider_status: {code, message} | null}}</td><td>{@code {changed}};
 *   422. Records the bot's provider problem, stamped {@code at}, or clears it (null). The bot shows it as
 *   {@code provider_status}; an update of its {@code api_key}, {@code provider} or {@code base_url} clears it too.</td></tr>
 * </table>
 *
 * <p>A bot created with neither {@code provider} nor {@code api_key} gets the provider named by config
 * {@code default_provider}, which {@code MainVerticle} sets to {@code openai} when the server has a global
 * OpenAI key and to {@code extractive} (answers from the knowledge base, no model) otherwise.
 *
 * <p>New bots start with {@code rate_limit} {@code new_bot_rate_limit} (default {@code {per_session_per_minute: 20,
 * per_address_per_minute: 120}}) unless they are created with their own limits; stored bots keep theirs.
 *
 * <p>Create and update refuse with 422, naming the field, a {@code provider} no running provider announced
 * ({@code unknown_provider}, listing the known ones; {@link KnownProviders}, waiting up to
 * {@code provider_discovery_ms}, 1000, for a late announcement), an {@code openai} or {@code anthropic} bot
 * whose {@code base_url} is not the server's configured one ({@code configured_base_urls}, set by
 * {@code MainVerticle}) without an {@code api_key} of its own, and a {@code budget.daily_cost} on a model that
 * has no price ({@code parley.provider.price}); see {@link BotChecks}.
 *
 * <p>Publishes {@code parley.events.bot.changed} {@code {bot_id, action: created|updated|deleted}}.
 * Chat lookups ({@code include_secret}) are cached for {@code cache_ttl_ms}, and every instance on
 * every node drops a bot from its cache when that event arrives.
 */
public class BotVerticle extends VerticleBase {

  private Database database;
  private BotService bots;
  private BotCache cache;

  @Override
  public Future<?> start() {
    return Future.all(
            Database.open(vertx, config().getJsonObject("database"), config().getString("data_dir", "./data")),
            SecretBox.load(vertx, config()))
        .compose(ready -> {
          database = ready.resultAt(0);
          KnownProviders known = new KnownProviders(vertx, config().getLong("provider_discovery_ms", 1_000L));
          // the checks ask the provider step for prices within the time a bot request itself is given
          long checkTimeoutMs = Math.min(2_000L, Timeouts.from(config().getJsonObject("timeouts")).botMs() / 2);
          BotChecks checks = new BotChecks(vertx, known, config().getJsonObject("configured_base_urls"), checkTimeoutMs);
          JsonObject newBotLimits = config().getJsonObject("new_bot_rate_limit");
          BotSettings.merge(BotSettings.defaults(), new JsonObject().put("rate_limit", newBotLimits)); // refuses bad values
          bots = new BotService(database, ready.resultAt(1), config().getString("default_provider", "openai"), checks,
              newBotLimits);
          cache = new BotCache(config().getLong("cache_ttl_ms", 5_000L), LocalBots.of(vertx));
          return Future.all(List.of(
              known.start(),
              consume(Addresses.BOT_CREATE, body -> bots.create(body).map(bot -> changed(bot, "created"))),
              consume(Addresses.BOT_LIST, body -> bots.list().map(list -> new JsonObject().put("bots", list))),
              consume(Addresses.BOT_GET, this::get),
              consume(Addresses.BOT_UPDATE, body -> bots.update(botId(body), patch(body)).map(bot -> changed(bot, "updated"))),
              consume(Addresses.BOT_DELETE, this::delete),
              consume(Addresses.BOT_STATUS, this::providerStatus),
              consume(Addresses.BOT_HEALTH, body -> database.pool().query("SELECT 1").execute()
                  .map(rows -> new JsonObject().put("status", "UP"))),
              vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_BOT_CHANGED,
                  event -> cache.evict(event.body().getString(Fields.BOT_ID))).completion()));
        });
  }

  @Override
  public Future<?> stop() {
    // nothing would take a changed bot out of the node's chat cache any more
    LocalBots.of(vertx).clear();
    return database == null ? Future.succeededFuture() : database.close();
  }

  private Future<JsonObject> get(JsonObject body) {
    String id = botId(body);
    if (body.getBoolean(Fields.INCLUDE_WARNINGS, false)) {
      return bots.getWithWarnings(id);
    }
    if (!body.getBoolean(Fields.INCLUDE_SECRET, false)) {
      return bots.get(id, false);
    }
    return cache.get(id, () -> bots.get(id, true));
  }

  private Future<JsonObject> delete(JsonObject body) {
    String id = botId(body);
    return bots.delete(id).map(v -> {
      cache.evict(id);
      vertx.eventBus().publish(Addresses.EVENTS_BOT_CHANGED, new JsonObject().put(Fields.BOT_ID, id).put(Fields.ACTION, "deleted"));
      return new JsonObject();
    });
  }

  /** Records or clears the provider status; a change shows at once, as chat lookups drop the cached bot. */
  private Future<JsonObject> providerStatus(JsonObject body) {
    String id = botId(body);
    Object status = body.getValue(Fields.PROVIDER_STATUS);
    if (status != null && !(status instanceof JsonObject)) {
      return Future.failedFuture(ParleyException.invalid(Fields.PROVIDER_STATUS, "provider_status must be an object or null"));
    }
    return bots.providerStatus(id, (JsonObject) status).map(changed -> {
      if (changed) {
        cache.evict(id);
        vertx.eventBus().publish(Addresses.EVENTS_BOT_CHANGED, new JsonObject().put(Fields.BOT_ID, id).put(Fields.ACTION, "updated"));
      }
      return new JsonObject().put("changed", changed);
    });
  }

  private JsonObject changed(JsonObject bot, String action) {
    String id = bot.getString("id");
    cache.evict(id);
    vertx.eventBus().publish(Addresses.EVENTS_BOT_CHANGED, new JsonObject().put(Fields.BOT_ID, id).put(Fields.ACTION, action));
    return bot;
  }

  private static String botId(JsonObject body) {
    return Ids.requireEntityId(body.getString(Fields.BOT_ID), "Bot");
  }

  private static JsonObject patch(JsonObject body) {
    JsonObject patch = body.getJsonObject(Fields.PATCH);
    if (patch == null) {
      throw ParleyException.badRequest("invalid_body", "The update must be a JSON object");
    }
    return patch;
  }

  private Future<Void> consume(String address, Function<JsonObject, Future<JsonObject>> handler) {
    return BusHandlers.register(vertx, address, handler);
  }
}
