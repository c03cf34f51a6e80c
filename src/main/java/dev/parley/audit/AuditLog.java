package dev.parley.audit;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Stores and reads audit entries. Only appends: there is no method that changes or removes one. An entry is
 * stamped {@code at} when it is stored; what it records is checked, so a bad sender cannot store an unbounded or
 * malformed entry (400 {@code invalid_entry} naming the field).
 */
final class AuditLog {

  /** Longest {@code changes} stored, encoded: the HTTP edge cuts long texts long before that. */
  static final int MAX_CHANGES_CHARS = 65_536;
  private static final int MAX_ACTOR_CHARS = 4_096;
  private static final Pattern ACTION = Pattern.compile("[a-z0-9_]{1,40}(\\.[a-z0-9_]{1,40}){0,4}");
  private static final Pattern KIND = Pattern.compile("[a-z_]{1,32}");
  private static final Set<String> OUTCOMES = Set.of("success", "failure");

  private final Pool pool;
  private final AuditCursor cursors;
  private final LongSupplier clock;

  AuditLog(Pool pool, AuditCursor cursors, LongSupplier clock) {
    this.pool = pool;
    this.cursors = cursors;
    this.clock = clock;
  }

  Future<JsonObject> record(JsonObject entry) {
    Map<String, Object> row = new HashMap<>();
    JsonObject actor = entry.getValue("actor") instanceof JsonObject a ? a : null;
    if (actor == null || !(actor.getValue("kind") instanceof String kind) || !KIND.matcher(kind).matches()
        || actor.encode().length() > MAX_ACTOR_CHARS) {
      return Future.failedFuture(invalid("actor", "'actor' must be an object with a 'kind' such as user, token or bootstrap"));
    }
    String action = entry.getValue("action") instanceof String a ? a : null;
    if (action == null || !ACTION.matcher(action).matches()) {
      return Future.failedFuture(invalid("action", "'action' must be a name such as bot.update"));
    }
    row.put("actor_kind", kind);
    row.put("actor_user_id", text(actor, "user_id", 256));
    row.put("actor_token_id", text(actor, "token_id", 256));
    row.put("actor_email", text(actor, "email", 320));
    row.put("actor_role", text(actor, "role", 32));
    row.put("actor", actor.encode());
    row.put("action", action);
    row.put("target_type", text(entry, "target_type", 64));
    row.put("target_id", text(entry, "target_id", 320));
    row.put("bot_id", text(entry, "bot_id", 64));
    row.put("request_id", text(entry, "request_id", 64));
    row.put("client_address", text(entry, "client_address", 64));
    Object status = entry.getValue("status");
    if (status != null && !(status instanceof Integer code && code >= 100 && code <= 599)) {
      throw invalid("status", "'status' must be an HTTP status");
    }
    row.put("status", status);
    String outcome = entry.getValue("outcome") == null ? "success" : text(entry, "outcome", 16);
    if (!OUTCOMES.contains(outcome)) {
      throw invalid("outcome", "'outcome' must be success or failure");
    }
    row.put("outcome", outcome);
    Object changes = entry.getValue("changes");
    if (changes != null && !(changes instanceof JsonObject)) {
      throw invalid("changes", "'changes' must be an object");
    }
    String encoded = changes == null ? null : ((JsonObject) changes).encode();
    if (encoded != null && encoded.length() > MAX_CHANGES_CHARS) {
      throw invalid("changes", "'changes' must be at most " + MAX_CHANGES_CHARS + " characters of JSON");
    }
    row.put("changes", encoded);
    long at = clock.getAsLong();
    row.put("at", at);
    return Templates.forQuery(pool, AuditSql.INSERT).execute(row)
        .map(rows -> toEntry(row, rows.iterator().next().getLong("id")));
  }

  Future<JsonObject> query(JsonObject body) {
    AuditQuery query = AuditQuery.from(body);
    String key = query.key();
    Long before = query.cursor() == null ? null : cursors.read(query.cursor(), key);
    Map<String, Object> params = AuditQuery.params();
    String sql = query.sql(before, params);
    return Templates.forQuery(pool, sql).execute(params).map(rows -> {
      JsonArray entries = new JsonArray();
      long last = 0;
      boolean more = false;
      for (Row row : rows) {
        if (entries.size() == query.limit()) {
          more = true;
          break;
        }
        JsonObject entry = toEntry(row.toJson().getMap(), row.getLong("id"));
        last = entry.getLong("id");
        entries.add(entry);
      }
      return new JsonObject().put("entries", entries).put("next_cursor", more ? cursors.issue(last, key) : null);
    });
  }

  private static JsonObject toEntry(Map<String, Object> row, long id) {
    Object changes = row.get("changes");
    Object status = row.get("status");
    return new JsonObject()
        .put("id", id)
        .put("at", ((Number) row.get("at")).longValue())
        .put("actor", new JsonObject((String) row.get("actor")))
        .put("action", row.get("action"))
        .put("target_type", row.get("target_type"))
        .put("target_id", row.get("target_id"))
        .put("bot_id", row.get("bot_id"))
        .put("request_id", row.get("request_id"))
        .put("client_address", row.get("client_address"))
        .put("status", status == null ? null : ((Number) status).intValue())
        .put("outcome", row.get("outcome"))
        .put("changes", changes == null ? null : new JsonObject((String) changes));
  }

  private static String text(JsonObject json, String field, int max) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.length() > max) {
      throw invalid(field, "'" + field + "' must be a text of at most " + max + " characters");
    }
    return s;
  }

  private static ParleyException invalid(String field, String message) {
    return new ParleyException(ErrorCodes.BAD_REQUEST, "invalid_entry", message, field, 0);
  }
}
