package dev.parley.http;

import dev.parley.common.AuditClient;
import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * {@code GET /api/audit?actor=&action=&target=&bot_id=&since=&until=&limit=&cursor=} (behind the admin
 * authentication): a page of the audit log, newest first, {@code {entries:[…], next_cursor}}. {@code since} and
 * {@code until} are ISO-8601 times with an offset ({@code 2026-12-05T09:00:00Z}) or epoch milliseconds;
 * {@code since} is inclusive, {@code until} exclusive. Bad filters and foreign cursors are 400. There is no route
 * that changes or removes an entry: the log is append-only.
 */
final class AuditRoutes {

  private static final List<String> TEXT_FILTERS = List.of("actor", "action", "target", "bot_id", "cursor");

  private final AuditClient audit;

  AuditRoutes(AuditClient audit) {
    this.audit = audit;
  }

  void mount(Router router) {
    router.get("/api/audit").handler(this::query);
  }

  private void query(RoutingContext ctx) {
    JsonObject filters = new JsonObject();
    for (String name : TEXT_FILTERS) {
      String value = single(ctx, name);
      if (value != null && !value.isEmpty()) {
        filters.put(name, value);
      }
    }
    filters.put("since", time(ctx, "since"));
    filters.put("until", time(ctx, "until"));
    filters.put("limit", BotsHandler.intParam(ctx, "limit", 50, 1, 200));
    audit.query(RequestIds.get(ctx), filters).onComplete(Replies.json(ctx, 200, page -> page));
  }

  /** The query parameter, null when absent; 400 when it is given more than once. */
  static String single(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParams().getAll(name);
    if (values.size() > 1) {
      throw invalid(name, "'" + name + "' may be given once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** Epoch milliseconds from digits, or from an ISO-8601 time with an offset; null when absent. */
  static Long time(RoutingContext ctx, String name) {
    String raw = single(ctx, name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    if (raw.length() <= 15 && raw.chars().allMatch(Character::isDigit)) {
      return Long.parseLong(raw);
    }
    try {
      return OffsetDateTime.parse(raw).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException bad) {
      throw invalid(name, "'" + name + "' must be an ISO-8601 time with an offset, such as 2026-12-05T09:00:00Z, "
          + "or epoch milliseconds");
    }
  }

  private static ParleyException invalid(String field, String message) {
    return new ParleyException(ErrorCodes.BAD_REQUEST, "invalid_parameter", message, field, 0);
  }
}
