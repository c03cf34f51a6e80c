package dev.parley.bot;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import dev.parley.db.Database;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Bots: create, read, update, delete. The API key is write-only: it is stored encrypted
 * (bound to the bot id) with a masked hint, and only {@link #get(String, boolean)} with
 * {@code includeSecret} returns its ciphertext, for the provider step of a chat turn.
 */
final class BotService {

  private static final int MERGE_ATTEMPTS = 3;

  private static final Pattern STATUS_CODE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private final Database database;
  private final Pool pool;
  private final SecretBox secrets;
  private final String defaultProvider;
  private final BotChecks checks;
  private final JsonObject newBotLimits;

  /** {@code newBotLimits}: the {@code rate_limit} new bots start with (null: {@link BotSettings#defaults()}'s). */
  BotService(Database database, SecretBox secrets, String defaultProvider, BotChecks checks, JsonObject newBotLimits) {
    this.defaultProvider = defaultProvider;
    this.checks = checks;
    this.newBotLimits = newBotLimits;
    this.database = database;
    this.pool = database.pool();
    this.secrets = secrets;
  }

  Future<JsonObject> create(JsonObject input) {
    String name;
    JsonObject settings;
    String apiKey;
    try {
      name = BotSettings.name(input.getValue("name"));
      apiKey = BotSettings.apiKey(input.getValue("api_key"));
      JsonObject defaults = BotSettings.defaults(newBotLimits);
      if (input.getValue("provider") == null && apiKey == null) {
        defaults.put("provider", defaultProvider);
      }
      settings = BotSettings.merge(defaults, input);
    } catch (ParleyException invalid) {
      return Future.failedFuture(invalid);
    }
    return checks.refuse(settings, apiKey != null, null).compose(ok -> insert(name, settings, apiKey));
  }

  private Future<JsonObject> insert(String name, JsonObject settings, String apiKey) {
    String id = Ids.prefixed("bot");
    long now = System.currentTimeMillis();
    ToolSettings.seal(settings, secrets, id);
    Map<String, Object> row = new HashMap<>();
    row.put("id", id);
    row.put("name", name);
    row.put("config", settings.encode());
    row.put("api_key_enc", apiKey == null ? null : secrets.encrypt(apiKey, id));
    row.put("api_key_hint", apiKey == null ? null : SecretBox.hint(apiKey));
    row.put("created_at", now);
    row.put("updated_at", now);
    row.put("provider_status", null);
    return Templates.forUpdate(pool, BotSql.INSERT).execute(row)
        .map(done -> publicView(toBot(row)));
  }

  Future<JsonArray> list() {
    return Templates.forQuery(pool, BotSql.SELECT_ALL).execute(Map.of()).map(rows -> {
      JsonArray bots = new JsonArray();
      for (Row row : rows) {
        bots.add(publicView(toBot(row.toJson().getMap())));
      }
      return bots;
    });
  }

  Future<JsonObject> get(String id, boolean includeSecret) {
    return load(pool, id).map(bot -> includeSecret ? bot : publicView(bot));
  }

  /** The bot's admin view with its {@code warnings} ({@link BotChecks}). */
  Future<JsonObject> getWithWarnings(String id) {
    return load(pool, id).compose(bot -> checks.warnings(bot).map(warnings ->
        publicView(bot).put(Fields.WARNINGS, warnings)));
  }

  /**
   * Applies {@code patch} to the bot. The change is checked against the bot as read, outside any transaction (the
   * checks ask other components, over the bus), and written only if the bot is still as read: under the bot's lock its
   * {@code updated_at}, which every write of its settings moves forward, must not have moved, else the change is
   * merged and checked again (up to {@value #MERGE_ATTEMPTS} times, then 409 {@code bot_changed}). Two changes sent at
   * once had each merged into (and been checked against) the bot as it was before the other, so on PostgreSQL (READ
   * COMMITTED) the later write undid the earlier's fields, or the two together made a bot that neither check would have
   * let through (a daily cost budget, and a model without a price).
   */
  Future<JsonObject> update(String id, JsonObject patch) {
    return update(id, patch, MERGE_ATTEMPTS);
  }

  private Future<JsonObject> update(String id, JsonObject patch, int attempts) {
    return load(pool, id).compose(seen -> {
      JsonObject merged;
      boolean keySet;
      try {
        merged = BotSettings.merge(settingsOf(seen), patch);
        keySet = patch.containsKey("api_key") ? BotSettings.apiKey(patch.getValue("api_key")) != null
            : seen.getString("api_key_enc") != null;
      } catch (ParleyException invalid) {
        return Future.failedFuture(invalid);
      }
      return checks.refuse(merged, keySet, seen.getString("provider"))
          .compose(checked -> database.inTransaction(tx -> lockedLoad(tx, id).compose(current ->
              current.getLong("updated_at").equals(seen.getLong("updated_at"))
                  ? write(tx, id, patch, current, merged) : Future.<JsonObject>succeededFuture(null))))
          .compose(written -> written != null ? Future.succeededFuture(written)
              : attempts > 1 ? update(id, patch, attempts - 1)
              : Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT, "bot_changed",
                  "The bot was changed by other requests while this change was checked; send it again")));
    });
  }

  /** Writes the bot {@code current} with {@code patch} merged in ({@code settings}, already checked). */
  private Future<JsonObject> write(SqlClient tx, String id, JsonObject patch, JsonObject current, JsonObject settings) {
    Map<String, Object> row = new HashMap<>();
    try {
      row.put("name", patch.containsKey("name") ? BotSettings.name(patch.getValue("name")) : current.getString("name"));
      ToolSettings.seal(settings, secrets, id);
      row.put("config", settings.encode());
      if (patch.containsKey("api_key")) {
        String apiKey = BotSettings.apiKey(patch.getValue("api_key"));
        row.put("api_key_enc", apiKey == null ? null : secrets.encrypt(apiKey, id));
        row.put("api_key_hint", apiKey == null ? null : SecretBox.hint(apiKey));
      } else {
        row.put("api_key_enc", current.getString("api_key_enc"));
        row.put("api_key_hint", current.getString("api_key_hint"));
      }
    } catch (ParleyException invalid) {
      return Future.failedFuture(invalid);
    }
    // a new key, provider or base URL may well have fixed the provider problem: the next turn will tell
    boolean providerChanged = patch.containsKey("api_key") || patch.containsKey("provider")
        || patch.containsKey("base_url");
    JsonObject status = current.getJsonObject(Fields.PROVIDER_STATUS);
    row.put("provider_status", providerChanged || status == null ? null : status.encode());
    row.put("id", id);
    row.put("created_at", current.getLong("created_at"));
    row.put("updated_at", Math.max(System.currentTimeMillis(), current.getLong("updated_at") + 1));
    return Templates.forUpdate(tx, BotSql.UPDATE).execute(row).map(done -> publicView(toBot(row)));
  }

  /**
   * Records the bot's provider problem {@code {code, message}} (stamped {@code at} now), or clears it when
   * {@code status} is null. True when the row changed; a bot that does not exist (any more) is no failure.
   */
  Future<Boolean> providerStatus(String id, JsonObject status) {
    if (status == null) {
      return Templates.forUpdate(pool, BotSql.CLEAR_PROVIDER_STATUS).execute(Map.of("id", id))
          .map(result -> result.rowCount() > 0);
    }
    String code = status.getValue("code") instanceof String c && STATUS_CODE.matcher(c).matches() ? c : null;
    String message = status.getValue("message") instanceof String m ? m : null;
    if (code == null || message == null || message.length() > 500) {
      return Future.failedFuture(ParleyException.invalid(Fields.PROVIDER_STATUS,
          "provider_status must be {code: snake_case, message: at most 500 characters} or null"));
    }
    String value = new JsonObject().put("code", code).put("message", message).put("at", System.currentTimeMillis())
        .encode();
    return Templates.forUpdate(pool, BotSql.SET_PROVIDER_STATUS).execute(Map.of("id", id, "provider_status", value))
        .map(result -> result.rowCount() > 0);
  }

  Future<Void> delete(String id) {
    return Templates.forUpdate(pool, BotSql.DELETE).execute(Map.of("id", id)).compose(result ->
        result.rowCount() == 0 ? Future.failedFuture(ParleyException.notFound("Bot")) : Future.succeededFuture());
  }

  private Future<JsonObject> lockedLoad(SqlClient tx, String id) {
    return database.lockFor(tx, "bots:" + id).compose(locked -> load(tx, id));
  }

  private static Future<JsonObject> load(SqlClient client, String id) {
    return Templates.forQuery(client, BotSql.SELECT_ONE).execute(Map.of("id", id)).compose(rows -> one(rows));
  }

  private static Future<JsonObject> one(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Future.failedFuture(ParleyException.notFound("Bot"));
    }
    return Future.succeededFuture(toBot(rows.iterator().next().toJson().getMap()));
  }

  /** The internal bot: settings flattened in, plus {@code api_key_enc}. */
  private static JsonObject toBot(Map<String, Object> row) {
    JsonObject bot = new JsonObject()
        .put("id", row.get("id"))
        .put("name", row.get("name"));
    bot.mergeIn(new JsonObject((String) row.get("config")));
    BotSettings.dataDefaults(bot);
    bot.put("api_key_enc", row.get("api_key_enc"));
    bot.put("api_key_hint", row.get("api_key_hint"));
    bot.put("created_at", ((Number) row.get("created_at")).longValue());
    bot.put("updated_at", ((Number) row.get("updated_at")).longValue());
    Object status = row.get("provider_status");
    bot.put(Fields.PROVIDER_STATUS, status instanceof String json ? new JsonObject(json) : null);
    return bot;
  }

  private static JsonObject settingsOf(JsonObject bot) {
    JsonObject settings = bot.copy();
    for (String field : BotSettings.READ_ONLY) {
      settings.remove(field);
    }
    settings.remove("name");
    settings.remove("api_key_enc");
    return settings;
  }

  /** What the admin API shows: never key material, only whether a key is set and its hint. */
  static JsonObject publicView(JsonObject bot) {
    JsonObject view = bot.copy();
    view.put("api_key_set", view.remove("api_key_enc") != null);
    if (view.getValue("tools") instanceof JsonArray tools) {
      view.put("tools", ToolSettings.publicView(tools));
    }
    return view;
  }
}
