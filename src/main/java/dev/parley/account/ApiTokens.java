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
 * API tokens: stored by their hash with a name, a short hint (the first characters, to tell them apart), an
 * optional expiry and the time of last use (written at most once a minute). A token acts as its user, with the
 * user's role and scope as they are at each request. A user holds at most {@link #MAX_PER_USER}, counted under
 * {@link Database#lockFor} so that tokens created at once cannot pass it.
 */
final class ApiTokens {

  static final int MAX_PER_USER = 50;
  private static final long TOUCH_EVERY_MS = 60_000;

  private final Database database;

  ApiTokens(Database database) {
    this.database = database;
  }

  Future<JsonObject> create(JsonObject input) {
    String userId = Users.userId(input);
    String name = UserFields.name(input.getValue(Fields.NAME));
    Map<String, Object> row = new HashMap<>();
    row.put("id", Ids.prefixed("tok"));
    row.put(Fields.USER_ID, userId);
    row.put(Fields.NAME, name);
    row.put(Fields.TOKEN_HASH, input.getString(Fields.TOKEN_HASH));
    row.put(Fields.HINT, input.getString(Fields.HINT));
    row.put(Fields.CREATED_AT, System.currentTimeMillis());
    row.put(Fields.EXPIRES_AT, input.getLong(Fields.EXPIRES_AT));
    row.put("last_used_at", null);
    if (row.get(Fields.TOKEN_HASH) == null || row.get(Fields.HINT) == null) {
      throw ParleyException.badRequest("invalid_body", "A token needs token_hash and hint");
    }
    return database.inTransaction(tx -> database.lockFor(tx, "api_tokens:" + userId)
        .compose(locked -> Templates.forQuery(tx, AccountSql.COUNT_TOKENS_OF).execute(Map.of(Fields.USER_ID, userId)))
        .compose(rows -> {
          if (rows.iterator().next().getLong("n") >= MAX_PER_USER) {
            return Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT, "too_many_tokens",
                "You have " + MAX_PER_USER + " tokens: delete one first"));
          }
          return Templates.forUpdate(tx, AccountSql.INSERT_TOKEN).execute(row).map(done -> view(row));
        }));
  }

  Future<JsonArray> list(String userId) {
    return Templates.forQuery(database.pool(), AccountSql.SELECT_TOKENS_OF).execute(Map.of(Fields.USER_ID, userId))
        .map(rows -> {
          JsonArray tokens = new JsonArray();
          rows.forEach(row -> tokens.add(view(row.toJson().getMap())));
          return tokens;
        });
  }

  Future<Void> delete(String userId, String tokenId) {
    return Templates.forUpdate(database.pool(), AccountSql.DELETE_TOKEN).execute(Map.of("id", tokenId, Fields.USER_ID, userId))
        .compose(done -> done.rowCount() == 0 ? Future.failedFuture(ParleyException.notFound("Token"))
            : Future.succeededFuture());
  }

  /** The user of a live token with its {@code token_id}. */
  Future<JsonObject> check(String tokenHash) {
    long now = System.currentTimeMillis();
    return Templates.forQuery(database.pool(), AccountSql.SELECT_TOKEN).execute(Map.of(Fields.TOKEN_HASH, tokenHash))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(Sessions.unauthorized());
          }
          Row row = rows.iterator().next();
          Long expires = row.getLong(Fields.EXPIRES_AT);
          if (expires != null && expires <= now || row.getInteger("disabled") != 0) {
            return Future.failedFuture(Sessions.unauthorized());
          }
          String tokenId = row.getString(Fields.TOKEN_ID);
          JsonObject user = UserFields.view(row.toJson().getMap()).put(Fields.TOKEN_ID, tokenId);
          return touched(database, AccountSql.TOUCH_TOKEN, tokenId, row.getLong("last_used_at"), now, user);
        });
  }

  /**
   * {@code value} once the credential {@code id} is marked used at {@code now} by {@code touchSql}: written at most
   * once a minute ({@code used}: its last use), so that every request does not write.
   */
  static <T> Future<T> touched(Database database, String touchSql, String id, Long used, long now, T value) {
    return used != null && now - used < TOUCH_EVERY_MS ? Future.succeededFuture(value)
        : Templates.forUpdate(database.pool(), touchSql).execute(Map.of("id", id, "last_used_at", now))
            .map(done -> value);
  }

  private static JsonObject view(Map<String, Object> row) {
    return new JsonObject().put("id", row.get("id")).put(Fields.NAME, row.get(Fields.NAME))
        .put(Fields.HINT, row.get(Fields.HINT)).put(Fields.CREATED_AT, number(row.get(Fields.CREATED_AT)))
        .put(Fields.EXPIRES_AT, number(row.get(Fields.EXPIRES_AT))).put("last_used_at", number(row.get("last_used_at")));
  }

  private static Long number(Object value) {
    return value instanceof Number n ? n.longValue() : null;
  }
}
