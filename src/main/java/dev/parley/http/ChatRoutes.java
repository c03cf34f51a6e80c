package dev.parley.http;

import dev.parley.chat.ChatPipeline;
import dev.parley.chat.FollowUp;
import dev.parley.chat.HandoffAvailability;
import dev.parley.chat.Turn;
import dev.parley.common.ChannelClient;
import dev.parley.common.Clients;
import dev.parley.common.Timeouts;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;

/**
 * The public chat routes, each behind {@link ChatAccess} (the bot, its allowed origins):
 * {@code POST /api/chat/{bot_id}}, one chat turn after {@link ChatLimits}, answered as JSON or, with
 * {@code Accept: text/event-stream} or {@code "stream": true}, as server-sent events ({@link SseDelivery}); the
 * turn itself is the {@link ChatPipeline}'s. The visitor's session routes ({@link SessionHandler}, their writes
 * rate-limited too), the visitor's request for a person ({@link HandoffRoute}), the visitor channel
 * {@code GET /api/chat/{bot_id}/session/{session_id}/events} ({@link VisitorChannels}, its openings limited per address)
 * and {@code GET /api/chat/{bot_id}/config} ({@link PagesHandler#config}).
 */
final class ChatRoutes {

  private final ChatAccess access;
  private final ChatLimits turnLimits;
  private final ChatLimits writeLimits;
  private final ChatPipeline pipeline;
  private final SessionHandler sessions;
  private final ChatLimits channelLimits;
  private final VisitorChannels channels;
  private final HandoffRoute handoff;
  private final FollowUpRoutes followUps;

  ChatRoutes(Clients clients, String publicUrl, RateLimiter limiter, ClientAddress addresses, JsonObject config,
      Timeouts timeouts) {
    JsonObject rateLimits = config.getJsonObject("rate_limit");
    this.access = new ChatAccess(clients.bots(), publicUrl);
    this.turnLimits = new ChatLimits(limiter, addresses, rateLimits);
    this.writeLimits = ChatLimits.forWrites(limiter, addresses, rateLimits);
    this.pipeline = new ChatPipeline(clients, config.getLong("budget_cache_ms", 5_000L),
        config.getLong("reload_grace_ms", 10_000L));
    this.sessions = new SessionHandler(clients.memory(), clients.conversations());
    this.handoff = new HandoffRoute(clients.conversations());
    this.followUps = new FollowUpRoutes(new HandoffAvailability(clients.conversations(), Clock.systemUTC()),
        new FollowUp(clients.memory(), clients.conversations(), clients.bus().vertx().eventBus()), clients.conversations());
    this.channelLimits = ChatLimits.forChannels(limiter, addresses, rateLimits);
    this.channels = new VisitorChannels(clients.bus().vertx(), new ChannelClient(clients.bus(), timeouts),
        clients.conversations(), clients.memory(), addresses, config);
  }

  /** The chat turn, shared with the other routes that run turns (one budget cache per instance). */
  ChatPipeline pipeline() {
    return pipeline;
  }

  void mount(Router router) {
    router.route("/api/chat/:botId").handler(access);
    router.route("/api/chat/:botId/*").handler(access);
    router.post("/api/chat/:botId").handler(turnLimits).handler(this::turn);
    router.delete("/api/chat/:botId/session/:sessionId").handler(writeLimits);
    router.post("/api/chat/:botId/messages/:messageId/feedback").handler(writeLimits);
    router.get("/api/chat/:botId/session/:sessionId/events").handler(channelLimits).handler(channels);
    router.post("/api/chat/:botId/session/:sessionId/handoff").handler(writeLimits);
    router.post("/api/chat/:botId/session/:sessionId/follow-up").handler(writeLimits);
    sessions.mount(router);
    followUps.mount(router);
    handoff.mount(router);
    router.get("/api/chat/:botId/config").handler(PagesHandler::config);
  }

  /** Ends the open visitor channels (the instance stops: their clients reconnect). */
  void closeChannels() {
    channels.closeAll();
  }

  private void turn(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx);
    Turn turn = Turn.start(RequestIds.get(ctx), ctx.get(ChatAccess.BOT), body);
    pipeline.run(turn, wantsStream(ctx, body) ? new SseDelivery(ctx) : new JsonDelivery(ctx));
  }

  /** A {@code stream} flag that is not a boolean is refused by the turn's limits, after the message's checks. */
  private static boolean wantsStream(RoutingContext ctx, JsonObject body) {
    Object flag = body.getValue("stream");
    String accept = ctx.request().getHeader("Accept");
    return Boolean.TRUE.equals(flag) || (accept != null && accept.contains("text/event-stream"));
  }
}
