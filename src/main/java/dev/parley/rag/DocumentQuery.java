package dev.parley.rag;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.db.Dialect;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The filters of one {@code parley.rag.document.list}, checked (400 {@code invalid_parameter} naming the filter) and
 * turned into SQL. {@code status}: a comma-separated list of statuses; {@code q}: 1–100 characters found in the name
 * or URL, case ignored as the database lowers letters (SQLite: A–Z only); {@code updated_since}: epoch milliseconds,
 * changed at or after; {@code limit}: 1–1000 documents per page (absent: every matching document); {@code order}: {@code oldest} (first,
 * the default) or {@code newest}; {@code cursor}: the {@code next_cursor} of the page before, in the same order. A
 * cursor is a position in that order, not a secret: the SQL keeps to the bot whatever it says, so it is not signed;
 * a malformed one is 400 {@code invalid_cursor}.
 */
record DocumentQuery(List<String> statuses, String text, Long updatedSince, Integer limit, boolean newestFirst,
    long afterCreated, String afterId) {

  static final int MAX_LIMIT = 1000;
  static final int MAX_TEXT = 100;
  static final List<String> STATUSES = List.of("pending", "processing", "ready", "failed");
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  static DocumentQuery from(JsonObject body) {
    Set<String> statuses = new HashSet<>();
    String status = string(body, "status");
    if (status != null) {
      for (String one : status.split(",", -1)) {
        String name = one.trim();
        if (!STATUSES.contains(name)) {
          throw invalid("status", "'status' must be one or more of pending, processing, ready, failed, "
              + "separated by commas");
        }
        statuses.add(name);
      }
    }
    String text = string(body, "q");
    if (text != null && (text.isBlank() || text.length() > MAX_TEXT)) {
      throw invalid("q", "'q' must be 1 to " + MAX_TEXT + " characters");
    }
    Long since = whole(body, "updated_since", 0, Long.MAX_VALUE);
    Long limit = whole(body, "limit", 1, MAX_LIMIT);
    String order = string(body, "order");
    if (order != null && !order.equals("oldest") && !order.equals("newest")) {
      throw invalid("order", "'order' must be oldest or newest");
    }
    String cursor = string(body, "cursor");
    long afterCreated = 0;
    String afterId = null;
    if (cursor != null) {
      String[] position = position(cursor);
      afterCreated = Long.parseLong(position[0]);
      afterId = position[1];
    }
    // in one order, so one set of filters is always one statement text
    return new DocumentQuery(STATUSES.stream().filter(statuses::contains).toList(), text == null ? null : text.trim(),
        since, limit == null ? null : limit.intValue(), "newest".equals(order), afterCreated, afterId);
  }

  /** The statement of the page (one row more than the limit, to know whether another page follows). */
  String sql(String botId, Dialect dialect, Map<String, Object> params) {
    StringBuilder sql = new StringBuilder("SELECT ").append(DocumentSql.COLUMNS)
        .append(" FROM documents WHERE bot_id = #{bot_id}");
    params.put("bot_id", botId);
    if (!statuses.isEmpty()) {
      sql.append(" AND status IN (");
      int i = 0;
      for (String status : statuses) {
        sql.append(i == 0 ? "" : ", ").append("#{status").append(i).append('}');
        params.put("status" + i++, status);
      }
      sql.append(')');
    }
    if (text != null) {
      // a plain substring search: LIKE '%…%' backtracks, which made a long q on long names take seconds. Both sides
      // are lowered by the database, so a text typed as stored always matches, whatever the database lowers.
      String found = dialect == Dialect.POSTGRES ? "strpos" : "instr";
      sql.append(" AND (").append(found).append("(LOWER(name), LOWER(#{q})) > 0 OR ").append(found)
          .append("(LOWER(COALESCE(url, '')), LOWER(#{q})) > 0)");
      params.put("q", text);
    }
    if (updatedSince != null) {
      sql.append(" AND updated_at >= #{updated_since}");
      params.put("updated_since", updatedSince);
    }
    if (afterId != null) {
      sql.append(" AND (created_at, id) ").append(newestFirst ? '<' : '>').append(" (#{after_created}, #{after_id})");
      params.put("after_created", afterCreated);
      params.put("after_id", afterId);
    }
    sql.append(newestFirst ? " ORDER BY created_at DESC, id DESC" : " ORDER BY created_at, id");
    if (limit != null) {
      sql.append(" LIMIT #{limit}");
      params.put("limit", limit + 1);
    }
    return sql.toString();
  }

  /** The cursor of the page after the one that ended with this document. */
  static String cursorAfter(JsonObject last) {
    String position = last.getLong("created_at") + ":" + last.getString("id");
    return ENCODER.encodeToString(position.getBytes(StandardCharsets.UTF_8));
  }

  private static String[] position(String cursor) {
    try {
      String[] parts = new String(DECODER.decode(cursor), StandardCharsets.UTF_8).split(":", -1);
      if (parts.length == 2 && !parts[0].isEmpty() && parts[0].length() <= 15 && parts[0].chars().allMatch(Character::isDigit)
          && Ids.isEntityId(parts[1])) {
        return parts;
      }
    } catch (IllegalArgumentException malformed) {
      // reported below
    }
    throw new ParleyException(ErrorCodes.BAD_REQUEST, "invalid_cursor",
        "The cursor is not one this document list issued; start again without it", "cursor", 0);
  }

  private static String string(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw invalid(name, "'" + name + "' must be a string");
    }
    return text;
  }

  private static Long whole(JsonObject body, String name, long min, long max) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
        || ((Number) value).longValue() > max) {
      throw invalid(name, "'" + name + "' must be a whole number from " + min + (max == Long.MAX_VALUE ? " up" : " to " + max));
    }
    return ((Number) value).longValue();
  }

  private static ParleyException invalid(String field, String message) {
    return new ParleyException(ErrorCodes.BAD_REQUEST, "invalid_parameter", message, field, 0);
  }
}
