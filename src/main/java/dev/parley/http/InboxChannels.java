package dev.parley.http;

import dev.parley.common.Addresses;
import dev.parley.common.BusHandlers;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code GET /api/inbox/events}: the agents' live inbox, as server-sent events. Every conversation change of the bots
 * in the agent's scope, made on any node ({@code parley.inbox.changes}, published once by the node that made it), is
 * sent as an event named after its {@code type} (handoff_requested, assigned, message, note, released, closed,
 * reopened, visitor_message, follow_up) with the change as data; a {@code ready} event first, a {@code ping} every
 * {@value #PING_MS} ms. One consumer per HTTP verticle instance fans out to its channels (at most
 * {@code inbox_channels}, default {@value #DEFAULT_MAX}; 503 beyond). A channel whose client does not read is closed
 * (it reconnects and reloads the list), and so is a channel whose credential no longer holds, checked again every
 * {@code inbox_recheck_ms} (default {@value #DEFAULT_RECHECK_MS}): a session or token that ended, or a person whose
 * role or scope changed. The open channels are this instance's presence ({@link InboxPresence}), and
 * it answers {@code parley.inbox.online}.
 */
final class InboxChannels {

  static final int DEFAULT_MAX = 1_000;
  static final long DEFAULT_RECHECK_MS = 15_000;
  private static final long PING_MS = 25_000;

  private record Channel(Principal principal, Supplier<Future<Principal>> recheck, Sse sse, RoutingContext ctx) {
  }

  private final Vertx vertx;
  private final int max;
  private final long recheckMs;
  private final InboxPresence presence = new InboxPresence(Ids.uuid());
  private final Map<String, Channel> channels = new LinkedHashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long timer = -1;
  private long rechecks = -1;
  /** The latest changes' ids: a change heard twice (bus and PostgreSQL relay) is sent once. */
  private final java.util.Set<String> recent = new java.util.LinkedHashSet<>();
  private static final int RECENT = 2_000;

  InboxChannels(Vertx vertx, int max, long recheckMs) {
    this.vertx = vertx;
    this.max = max;
    this.recheckMs = recheckMs;
  }

  /** Listens to the changes and the other nodes' presence; answers {@code parley.inbox.online}. */
  Future<Void> start() {
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.INBOX_CHANGES, message -> changed(message.body())));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.INBOX_PRESENCE, message -> presence.heard(message.body())));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.INBOX_PRESENCE_ASK, message -> announce()));
    List<Future<Void>> ready = new ArrayList<>();
    consumers.forEach(consumer -> ready.add(consumer.completion()));
    ready.add(BusHandlers.register(vertx, Addresses.INBOX_ONLINE, body -> Future.succeededFuture(new JsonObject()
        .put(Fields.ONLINE, presence.online(Ids.requireEntityId(body.getString(Fields.BOT_ID), "Bot"), principals())))));
    return Future.all(ready).onSuccess(all -> {
      vertx.eventBus().publish(Addresses.INBOX_PRESENCE_ASK, new JsonObject());
      timer = vertx.setPeriodic(InboxPresence.BEAT_MS, tick -> beat());
      rechecks = vertx.setPeriodic(recheckMs, tick -> recheck());
    }).mapEmpty();
  }

  void stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(rechecks);
    consumers.forEach(MessageConsumer::unregister);
    new ArrayList<>(channels.values()).forEach(channel -> channel.sse().end());
  }

  void open(RoutingContext ctx) {
    if (channels.size() >= max) {
      throw new ParleyException(ErrorCodes.UNAVAILABLE, "too_many_channels", "Too many inbox channels are open here; try again");
    }
    String id = Ids.uuid();
    Sse sse = new Sse(ctx.response());
    sse.open();
    channels.put(id, new Channel(Principal.of(ctx), AdminAuthHandler.recheck(ctx), sse, ctx));
    sse.onGone(() -> close(id));
    sse.event("ready", new JsonObject().put("at", System.currentTimeMillis()));
    announce();
  }

  private void close(String id) {
    if (channels.remove(id) != null) {
      announce();
    }
  }

  private void changed(JsonObject change) {
    String changeId = change.getString("change_id");
    if (changeId != null && !recent.add(changeId)) {
      return;
    }
    if (recent.size() > RECENT) {
      recent.remove(recent.iterator().next());
    }
    String botId = change.getString(Fields.BOT_ID);
    String type = change.getString(Fields.TYPE, "change");
    for (Map.Entry<String, Channel> entry : new ArrayList<>(channels.entrySet())) {
      Channel channel = entry.getValue();
      if (!channel.principal().covers(botId)) {
        continue;
      }
      if (channel.ctx().response().writeQueueFull()) {
        channel.sse().end();
        close(entry.getKey());
        continue;
      }
      channel.sse().event(type, change);
    }
  }

  /**
   * Checks every channel's credential again: a channel whose session or token has ended, or whose person now has
   * another role or scope, ends (the page reconnects, and is refused or sees its new scope). A check that fails for
   * another reason (the account component is slow) leaves the channel open until the next one.
   */
  private void recheck() {
    for (Map.Entry<String, Channel> entry : new ArrayList<>(channels.entrySet())) {
      Channel channel = entry.getValue();
      channel.recheck().get().onComplete(now -> {
        boolean ended = now.failed() ? now.cause() instanceof ParleyException refused
            && refused.status() == ErrorCodes.UNAUTHORIZED
            : now.result().role() != channel.principal().role()
                || !Objects.equals(now.result().botIds(), channel.principal().botIds());
        if (ended && channels.containsKey(entry.getKey())) {
          channel.sse().end();
          close(entry.getKey());
        }
      });
    }
  }

  private void beat() {
    if (!channels.isEmpty()) {
      announce();
      long now = System.currentTimeMillis();
      if (now / PING_MS != (now - InboxPresence.BEAT_MS) / PING_MS) {
        channels.values().forEach(channel -> channel.sse().event("ping", new JsonObject().put("at", now)));
      }
    }
  }

  private void announce() {
    vertx.eventBus().publish(Addresses.INBOX_PRESENCE, presence.announcement(principals()));
  }

  private List<Principal> principals() {
    return channels.values().stream().map(Channel::principal).toList();
  }
}
