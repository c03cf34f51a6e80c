package dev.parley.http;

import dev.parley.common.ChannelClient;
import dev.parley.common.ConversationClient;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Ids;
import dev.parley.common.MemoryClient;
import dev.parley.common.ParleyException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/chat/{bot_id}/session/{session_id}/events}, the visitor channel (after {@link ChatAccess} and the
 * channel limits of {@link ChatLimits}): server-sent events with {@code id:} lines — {@code message} and {@code state}
 * from the conversation's log, the {@code delta}s of a bot answer in progress and its {@code answer_done} — resumed
 * after {@code Last-Event-ID} (or {@code ?after=}) on any node ({@link VisitorChannel}, {@link ChannelCursor}).
 * At most {@code visitor_channels_max} channels are open on one HTTP instance (503 {@code channels_full} beyond), and
 * at most {@code visitor_channels_per_address} of them for one client address (429 {@code too_many_channels} beyond):
 * a channel lasts as long as its client keeps it, so the limit on how many an address opens a minute alone would let
 * one address hold them all;
 * an idle channel gets a comment every {@code visitor_channel_ping_ms}; stopping the instance ends its channels
 * (their clients reconnect, to another node if need be).
 */
final class VisitorChannels implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final ChannelClient channels;
  private final ConversationClient conversations;
  private final MemoryClient memory;
  private final ClientAddress addresses;
  private final int max;
  private final int maxPerAddress;
  private final Set<VisitorChannel> open = new HashSet<>();
  private final Map<String, Integer> perAddress = new HashMap<>();
  private final long pinger;

  VisitorChannels(Vertx vertx, ChannelClient channels, ConversationClient conversations, MemoryClient memory,
      ClientAddress addresses, JsonObject config) {
    this.vertx = vertx;
    this.channels = channels;
    this.conversations = conversations;
    this.memory = memory;
    this.addresses = addresses;
    this.max = config.getInteger("visitor_channels_max", 10_000);
    this.maxPerAddress = config.getInteger("visitor_channels_per_address", 50);
    this.pinger = vertx.setPeriodic(config.getLong("visitor_channel_ping_ms", 25_000L),
        t -> List.copyOf(open).forEach(VisitorChannel::ping));
  }

  @Override
  public void handle(RoutingContext ctx) {
    String sessionId = Ids.requireSessionId(ctx.pathParam("sessionId"));
    String header = ctx.request().getHeader("Last-Event-ID");
    ChannelCursor cursor = ChannelCursor.parse(header != null && !header.isBlank() ? header : ctx.request().getParam("after"));
    if (open.size() >= max) {
      throw new ParleyException(ErrorCodes.UNAVAILABLE, "channels_full",
          "Too many visitor channels are open on this server; try again in a moment", null, 5);
    }
    String address = addresses.of(ctx.request());
    if (perAddress.getOrDefault(address, 0) >= maxPerAddress) {
      throw new ParleyException(ErrorCodes.TOO_MANY_REQUESTS, "too_many_channels",
          "Too many visitor channels are open from this address; close one or try again later", null, 30);
    }
    Sse sse = new Sse(ctx.response());
    VisitorChannel channel = new VisitorChannel(vertx, channels, conversations, memory, RequestIds.get(ctx), BotsHandler.botId(ctx),
        sessionId, cursor, sse);
    open.add(channel);
    perAddress.merge(address, 1, Integer::sum);
    sse.onGone(() -> {
      forget(channel, address);
      channel.close();
    });
    boolean[] opened = {false};
    channel.start(() -> {
      opened[0] = true;
      sse.open();
      sse.comment("channel");
    }).onFailure(failed -> {
      forget(channel, address);
      if (!opened[0] && !ctx.response().ended()) {
        Replies.fail(ctx, failed);
      }
    });
  }

  private void forget(VisitorChannel channel, String address) {
    if (open.remove(channel)) {
      perAddress.computeIfPresent(address, (key, count) -> count > 1 ? count - 1 : null);
    }
  }

  /** Ends every open channel (the instance stops). */
  void closeAll() {
    vertx.cancelTimer(pinger);
    List.copyOf(open).forEach(VisitorChannel::close);
    open.clear();
    perAddress.clear();
  }

  /** How many channels are open on this instance. */
  int size() {
    return open.size();
  }
}
