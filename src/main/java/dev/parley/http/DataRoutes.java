package dev.parley.http;

import dev.parley.common.Clients;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The conversations an operator governs (admin, behind {@link AdminAuthHandler}):
 * {@code GET /api/bots/{id}/conversations/export?format=jsonl|csv&since=&until=} streams every conversation active in
 * the window ({@link ExportStream}); {@code DELETE /api/bots/{id}/sessions/{session_id}} erases one session's
 * conversation on request (204; 404 for a session the bot does not have). Mounted before {@link BotsHandler}, whose
 * {@code /conversations/:conversationId} would otherwise take {@code export} for an id.
 */
final class DataRoutes {

  private final Clients clients;

  DataRoutes(Clients clients) {
    this.clients = clients;
  }

  void mount(Router router) {
    router.get("/api/bots/:botId/conversations/export").handler(AuditTrail.audited()).handler(this::export);
    router.delete("/api/bots/:botId/sessions/:sessionId").handler(this::erase);
  }

  /** Every check before the first byte: a bad format or time is a 400, an unknown bot a 404. */
  private void export(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    ExportFormat format = ExportFormat.of(ctx.queryParams().get("format"));
    long since = time(ctx, "since", 0L);
    long until = time(ctx, "until", Long.MAX_VALUE);
    if (since >= until) {
      throw ParleyException.badRequest("invalid_parameter", "'since' must be before 'until'");
    }
    String requestId = RequestIds.get(ctx);
    clients.bots().get(requestId, botId).onComplete(bot -> {
      if (bot.failed()) {
        Replies.fail(ctx, bot.cause());
      } else {
        ExportStream export = new ExportStream(clients.memory(), ctx.response(), requestId, botId, since, until, format);
        if (HttpVerticle.isHead(ctx)) {
          export.headersOnly();
        } else {
          export.start();
        }
      }
    });
  }

  private void erase(RoutingContext ctx) {
    String botId = BotsHandler.botId(ctx);
    String sessionId = Ids.requireSessionId(ctx.pathParam("sessionId"));
    clients.memory().erase(RequestIds.get(ctx), botId, sessionId).onComplete(Replies.noContent(ctx));
  }

  /**
   * A time parameter as epoch ms: an ISO 8601 instant with its offset ({@code 2025-01-31T12:00:00Z}) or a date
   * ({@code 2025-01-31}, the start of that UTC day); {@code fallback} when absent or empty.
   */
  static long time(RoutingContext ctx, String name, long fallback) {
    String raw = ctx.queryParams().get(name);
    if (raw == null || raw.isEmpty()) {
      return fallback;
    }
    try {
      if (raw.length() == 10) {
        return LocalDate.parse(raw).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      return OffsetDateTime.parse(raw).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException bad) {
      throw ParleyException.badRequest("invalid_parameter",
          "'" + name + "' must be a date (2025-01-31) or a time with its offset (2025-01-31T12:00:00Z)");
    }
  }
}
