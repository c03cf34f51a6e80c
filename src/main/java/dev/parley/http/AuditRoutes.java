package dev.parley.http;

import dev.parley.common.AuditClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
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
      String value = QueryParams.single(ctx, name);
      if (value != null && !value.isEmpty()) {
        filters.put(name, value);
      }
    }
    filters.put("since", QueryParams.time(ctx, "since"));
    filters.put("until", QueryParams.time(ctx, "until"));
    filters.put("limit", QueryParams.whole(ctx, "limit", 50, 1, 200));
    audit.query(RequestIds.get(ctx), filters).onComplete(Replies.json(ctx, 200, page -> page));
  }
}
