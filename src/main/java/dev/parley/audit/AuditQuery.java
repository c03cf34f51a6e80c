package dev.parley.audit;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The filters of one {@code parley.audit.query}, checked (400 {@code invalid_parameter} naming the filter) and
 * turned into SQL. {@code action} is a name ({@code bot.update}) or a prefix ending in {@code .*} ({@code bot.*});
 * {@code target} is an id, or {@code type:id}; {@code since} (inclusive) and {@code until} (exclusive) are epoch
 * milliseconds. The cursor is bound to {@link #key()}, the filters without the limit.
 */
record AuditQuery(String actor, String action, String target, String botId, Long since, Long until, int limit,
    String cursor) {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;
  static final Pattern ACTION = Pattern.compile("[a-z0-9_]{1,40}(\\.[a-z0-9_]{1,40}){0,4}(\\.\\*)?");
  private static final int MAX_TEXT = 320;

  static AuditQuery from(JsonObject body) {
    String actor = text(body, "actor");
    String action = text(body, "action");
    if (action != null && !ACTION.matcher(action).matches()) {
      throw invalid("action", "'action' must be an action name such as bot.update, or a prefix such as bot.*");
    }
    String target = text(body, "target");
    String botId = text(body, "bot_id");
    Long since = millis(body, "since");
    Long until = millis(body, "until");
    if (since != null && until != null && since >= until) {
      throw invalid("since", "'since' must be before 'until'");
    }
    Object rawLimit = body.getValue("limit");
    int limit = DEFAULT_LIMIT;
    if (rawLimit != null) {
      if (!(rawLimit instanceof Integer || rawLimit instanceof Long) || ((Number) rawLimit).longValue() < 1
          || ((Number) rawLimit).longValue() > MAX_LIMIT) {
        throw invalid("limit", "'limit' must be a whole number from 1 to " + MAX_LIMIT);
      }
      limit = ((Number) rawLimit).intValue();
    }
    return new AuditQuery(actor, action, target, botId, since, until, limit, text(body, "cursor"));
  }

  /** The filters a cursor is issued for: the same query with another limit may go on with it, other filters not. */
  String key() {
    return new JsonObject().put("actor", actor).put("action", action).put("target", target).put("bot_id", botId)
        .put("since", since).put("until", until).encode();
  }

  /** The statement of one page (one row more than the limit, to know whether another page follows), and its parameters. */
  String sql(Long before, Map<String, Object> params) {
    StringBuilder sql = new StringBuilder(AuditSql.SELECT);
    if (actor != null) {
      sql.append(AuditSql.BY_ACTOR);
      params.put("actor_user", actor);
      params.put("actor_token", actor);
      params.put("actor_email", actor.toLowerCase(Locale.ROOT));
      params.put("actor_kind", actor);
    }
    if (action != null && action.endsWith(".*")) {
      sql.append(AuditSql.BY_ACTION_PREFIX);
      params.put("action_prefix", action.substring(0, action.length() - 1).replace("_", "\\_") + "%");
    } else if (action != null) {
      sql.append(AuditSql.BY_ACTION);
      params.put("action", action);
    }
    if (target != null) {
      int colon = target.indexOf(':');
      if (colon >= 0) {
        sql.append(AuditSql.BY_TARGET_TYPE);
        params.put("target_type", target.substring(0, colon));
      }
      sql.append(AuditSql.BY_TARGET_ID);
      params.put("target_id", target.substring(colon + 1));
    }
    if (botId != null) {
      sql.append(AuditSql.BY_BOT);
      params.put("bot_id", botId);
    }
    if (since != null) {
      sql.append(AuditSql.SINCE);
      params.put("since", since);
    }
    if (until != null) {
      sql.append(AuditSql.UNTIL);
      params.put("until", until);
    }
    if (before != null) {
      sql.append(AuditSql.BEFORE);
      params.put("before", before);
    }
    sql.append(AuditSql.PAGE);
    params.put("limit", limit + 1);
    return sql.toString();
  }

  static Map<String, Object> params() {
    return new HashMap<>();
  }

  private static String text(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.isEmpty() || s.length() > MAX_TEXT) {
      throw invalid(name, "'" + name + "' must be a text of 1 to " + MAX_TEXT + " characters");
    }
    return s;
  }

  private static Long millis(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 0) {
      throw invalid(name, "'" + name + "' must be a time in epoch milliseconds");
    }
    return ((Number) value).longValue();
  }

  private static ParleyException invalid(String field, String message) {
    return new ParleyException(ErrorCodes.BAD_REQUEST, "invalid_parameter", message, field, 0);
  }
}
