package dev.parley.account;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.db.Database;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.Map;

/**
 * Sign-in sessions, kept in the database by the hash of their id so that every node accepts them and a deletion
 * ends them everywhere at once (no node caches one). A session ends {@code idle_ms} after its last use (12 h) and
 * {@code max_age_ms} after it began (7 days), whichever comes first. Its last use is written at most once a
 * minute, so a busy admin does not write on each request.
 */
final class Sessions {

  static final long DEFAULT_IDLE_MS = 12L * 3600 * 1000;
  static final long DEFAULT_MAX_AGE_MS = 7L * 24 * 3600 * 1000;
  private static final long TOUCH_EVERY_MS = 60_000;

  private final Database database;
  private final long idleMs;
  private final long maxAgeMs;

  Sessions(Database database, long idleMs, long maxAgeMs) {
    this.database = database;
    this.idleMs = idleMs;
    this.maxAgeMs = maxAgeMs;
  }

  /** Starts a session for an enabled user and answers the user; 401 when there is none. */
  Future<JsonObject> start(String userId, String sessionHash) {
    long now = System.currentTimeMillis();
    return Templates.forQuery(database.pool(), AccountSql.SELECT_USER).execute(Map.of("id", userId)).compose(rows -> {
      if (rows.size() == 0 || rows.iterator().next().getInteger("disabled") != 0) {
        return Future.failedFuture(unauthorized());
      }
      Map<String, Object> user = rows.iterator().next().toJson().getMap();
      Map<String, Object> session = new HashMap<>();
      session.put("id_hash", sessionHash);
      session.put(Fields.USER_ID, userId);
      session.put(Fields.CREATED_AT, now);
      session.put("last_seen_at", now);
      return Templates.forUpdate(database.pool(), AccountSql.INSERT_SESSION).execute(session)
          .map(done -> UserFields.view(user));
    });
  }

  /** The user of a live session; an expired one is deleted and refused. */
  Future<JsonObject> check(String sessionHash) {
    long now = System.currentTimeMillis();
    return Templates.forQuery(database.pool(), AccountSql.SELECT_SESSION).execute(Map.of("id_hash", sessionHash))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(unauthorized());
          }
          Row row = rows.iterator().next();
          long lastSeen = row.getLong("last_seen_at");
          boolean expired = now - lastSeen > idleMs || now - row.getLong("session_created_at") > maxAgeMs;
          if (expired || row.getInteger("disabled") != 0) {
            return end(sessionHash).compose(v -> Future.failedFuture(unauthorized()));
          }
          JsonObject user = UserFields.view(row.toJson().getMap());
          return now - lastSeen < TOUCH_EVERY_MS ? Future.succeededFuture(user)
              : Templates.forUpdate(database.pool(), AccountSql.TOUCH_SESSION)
                  .execute(Map.of("id_hash", sessionHash, "last_seen_at", now)).map(done -> user);
        });
  }

  Future<Void> end(String sessionHash) {
    return Templates.forUpdate(database.pool(), AccountSql.DELETE_SESSION).execute(Map.of("id_hash", sessionHash))
        .mapEmpty();
  }

  /** Deletes the sessions that can no longer be used (run now and then: they are refused anyway). */
  Future<Integer> sweep() {
    long now = System.currentTimeMillis();
    return Templates.forUpdate(database.pool(), AccountSql.DELETE_EXPIRED_SESSIONS)
        .execute(Map.of("idle_before", now - idleMs, "created_before", now - maxAgeMs)).map(done -> done.rowCount());
  }

  static ParleyException unauthorized() {
    return new ParleyException(ErrorCodes.UNAUTHORIZED, "unauthorized", "Sign in again: this session or token is not valid");
  }
}
