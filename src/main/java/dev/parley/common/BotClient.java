package dev.parley.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Sender side of the bot component ({@code parley.bot.*}); one per verticle, the request id passed per call. */
public final class BotClient {

  private final Bus bus;
  private final long timeoutMs;
  private final LocalBots local;

  public BotClient(Bus bus, Timeouts timeouts) {
    this.bus = bus;
    this.timeoutMs = timeouts.botMs();
    this.local = LocalBots.of(bus.vertx());
  }

  public Future<JsonObject> create(String requestId, JsonObject fields) {
    return bus.request(requestId, Addresses.BOT_CREATE, fields, timeoutMs);
  }

  public Future<JsonArray> list(String requestId) {
    return bus.request(requestId, Addresses.BOT_LIST, new JsonObject(), timeoutMs).map(r -> r.getJsonArray("bots"));
  }

  /** The bot as the admin API shows it: no key material at all. */
  public Future<JsonObject> get(String requestId, String botId) {
    return bus.request(requestId, Addresses.BOT_GET, new JsonObject().put(Fields.BOT_ID, botId), timeoutMs);
  }

  /** The bot as the admin API shows it, with its {@code warnings: [{field, message}]} (settings that cannot work as meant). */
  public Future<JsonObject> getWithWarnings(String requestId, String botId) {
    return bus.request(requestId, Addresses.BOT_GET,
        new JsonObject().put(Fields.BOT_ID, botId).put(Fields.INCLUDE_WARNINGS, true), timeoutMs);
  }

  /**
   * The bot with its encrypted key ({@code api_key_enc}), for a chat turn's provider step: from this node's bot
   * component's cache when it holds the bot ({@link LocalBots}), else asked.
   */
  public Future<JsonObject> getForChat(String requestId, String botId) {
    JsonObject held = local.get(botId);
    if (held != null) {
      return Future.succeededFuture(held);
    }
    return bus.request(requestId, Addresses.BOT_GET,
            new JsonObject().put(Fields.BOT_ID, botId).put(Fields.INCLUDE_SECRET, true), timeoutMs)
        .recover(failure -> {
          // the reader refreshing a lapsed bot: if the bot component did not answer at all, the lapsed copy serves
          JsonObject lapsed = failure instanceof ParleyException unanswered
              && ("timeout".equals(unanswered.code()) || "service_unavailable".equals(unanswered.code()))
              ? local.lapsed(botId) : null;
          return lapsed != null ? Future.succeededFuture(lapsed) : Future.failedFuture(failure);
        });
  }

  public Future<JsonObject> update(String requestId, String botId, JsonObject patch) {
    return bus.request(requestId, Addresses.BOT_UPDATE,
        new JsonObject().put(Fields.BOT_ID, botId).put(Fields.PATCH, patch), timeoutMs);
  }

  /**
   * Records the bot's provider problem ({@code {code, message}}, shown to admins as {@code provider_status}
   * with the time it was recorded), or clears it when {@code status} is null. Completes with whether it changed.
   */
  public Future<Boolean> providerStatus(String requestId, String botId, JsonObject status) {
    return bus.request(requestId, Addresses.BOT_STATUS, new JsonObject().put(Fields.BOT_ID, botId).put(Fields.PROVIDER_STATUS, status),
        timeoutMs).map(reply -> reply.getBoolean("changed", false));
  }

  public Future<Void> delete(String requestId, String botId) {
    return bus.request(requestId, Addresses.BOT_DELETE, new JsonObject().put(Fields.BOT_ID, botId), timeoutMs).mapEmpty();
  }
}
