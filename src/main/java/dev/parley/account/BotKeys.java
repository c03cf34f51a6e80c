package dev.parley.account;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.Map;

/**
 * The API keys of a bot ({@code pk_…}, issue 15): kept like {@link ApiTokens}, by their hash with a name, a hint and
 * the time of last use (written at most once a minute). A key opens its one bot to the OpenAI-compatible endpoint and
 * to {@code /mcp}; it never acts as a user. A bot holds at most {@link #MAX_PER_BOT}, counted under
 * {@link Database#lockFor} so that keys created at once cannot pass it; its keys go with it (the foreign key cascades).
 */
final class BotKeys {

  static final int MAX_PER_BOT = 50;

  private final Database database;

  BotKeys(Database database) {
    this.database = database;
  }

  Future<JsonObject> create(JsonObject input) {
    String botId = Ids.requireEntityId(input.getString(Fields.BOT_ID), "Bot");
    String name = UserFields.name(input.getValue(Fields.NAME));
    if (!(input.getValue(Fields.KEY_HASH) instanceof String hash && hash.length() == 64)
        || !(input.getValue(Fields.HINT) instanceof String)) {
      throw ParleyException.badRequest("invalid_body", "A key needs key_hash and hint");
    }
    Map<String, Object> row = new HashMap<>();
    row.put("id", Ids.prefixed("key"));
    row.put(Fields.BOT_ID, botId);
    row.put(Fields.NAME, name);
    row.put(Fields.KEY_HASH, input.getString(Fields.KEY_HASH));
    row.put(Fields.HINT, input.getString(Fields.HINT));
    row.put(Fields.CREATED_AT, System.currentTimeMillis());
    row.put("last_used_at", null);
    return database.inTransaction(tx -> database.lockFor(tx, "bot_keys:" + botId)
        .compose(locked -> Templates.forQuery(tx, AccountSql.COUNT_BOT_KEYS_OF).execute(Map.of(Fields.BOT_ID, botId)))
        .compose(rows -> {
          if (rows.iterator().next().getLong("n") >= MAX_PER_BOT) {
            return Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT, "too_many_keys",
                "This bot has " + MAX_PER_BOT + " API keys: revoke one first"));
          }
          return Templates.forUpdate(tx, AccountSql.INSERT_BOT_KEY).execute(row).map(done -> view(row));
        }));
  }

  Future<JsonArray> list(String botId) {
    return Templates.forQuery(database.pool(), AccountSql.SELECT_BOT_KEYS_OF).execute(Map.of(Fields.BOT_ID, botId))
        .map(rows -> {
          JsonArray keys = new JsonArray();
          rows.forEach(row -> keys.add(view(row.toJson().getMap())));
          return keys;
        });
  }

  Future<Void> delete(String botId, String keyId) {
    return Templates.forUpdate(database.pool(), AccountSql.DELETE_BOT_KEY).execute(Map.of("id", keyId, Fields.BOT_ID, botId))
        .compose(done -> done.rowCount() == 0 ? Future.failedFuture(ParleyException.notFound("API key"))
            : Future.succeededFuture());
  }

  /** The bot a live key opens: {@code {key_id, bot_id}}; 401 for an unknown (or revoked) key. */
  Future<JsonObject> check(String keyHash) {
    long now = System.currentTimeMillis();
    return Templates.forQuery(database.pool(), AccountSql.SELECT_BOT_KEY).execute(Map.of(Fields.KEY_HASH, keyHash))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new ParleyException(ErrorCodes.UNAUTHORIZED, "invalid_api_key",
                "The API key is unknown or revoked"));
          }
          Row row = rows.iterator().next();
          JsonObject key = new JsonObject().put(Fields.KEY_ID, row.getString("id")).put(Fields.BOT_ID, row.getString(Fields.BOT_ID));
          return ApiTokens.touched(database, AccountSql.TOUCH_BOT_KEY, key.getString(Fields.KEY_ID),
              row.getLong("last_used_at"), now, key);
        });
  }

  private static JsonObject view(Map<String, Object> row) {
    return new JsonObject().put("id", row.get("id")).put(Fields.BOT_ID, row.get(Fields.BOT_ID))
        .put(Fields.NAME, row.get(Fields.NAME)).put(Fields.HINT, row.get(Fields.HINT))
        .put(Fields.CREATED_AT, number(row.get(Fields.CREATED_AT))).put("last_used_at", number(row.get("last_used_at")));
  }

  private static Long number(Object value) {
    return value instanceof Number n ? n.longValue() : null;
  }
}
