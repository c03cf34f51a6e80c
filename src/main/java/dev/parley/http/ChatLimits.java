package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Rate limits of chat turns ({@code POST /api/chat/{bot_id}}, after {@link ChatAccess}): at most
 * {@code rate_limit.per_session_per_minute} turns per session and
 * {@code rate_limit.per_address_per_minute} per client address ({@link ClientAddress}), per bot
 * and per one-minute window. A bot's null limit takes the deployment's {@code http.rate_limit};
 * 0 means no limit. Past a limit: 429 {@code rate_limited} with {@code Retry-After} (seconds to the
 * next window), before anything is stored or any model is called. A visitor's other writes (feedback,
 * clearing a session: {@link #forWrites}) are limited per address by the same number, counted apart from turns, and
 * so are the visitor channels they open ({@link #forChannels}), counted apart again.
 */
final class ChatLimits implements Handler<RoutingContext> {

  private final RateLimiter limiter;
  private final ClientAddress addresses;
  private final JsonObject defaults;
  /** True for chat turns; false for the visitor's other writes and channels (no session limit, counts of their own). */
  private final boolean turns;
  /** What the address count is kept under: {@code a} turns, {@code w} writes, {@code c} channels. */
  private final String kind;

  ChatLimits(RateLimiter limiter, ClientAddress addresses, JsonObject defaults) {
    this(limiter, addresses, defaults, "a");
  }

  private ChatLimits(RateLimiter limiter, ClientAddress addresses, JsonObject defaults, String kind) {
    this.limiter = limiter;
    this.addresses = addresses;
    this.defaults = defaults == null ? new JsonObject() : defaults;
    this.turns = kind.equals("a");
    this.kind = kind;
  }

  /** The limit of a visitor's writes other than turns: {@code per_address_per_minute}, counted apart. */
  static ChatLimits forWrites(RateLimiter limiter, ClientAddress addresses, JsonObject defaults) {
    return new ChatLimits(limiter, addresses, defaults, "w");
  }

  /** The limit of the visitor channels an address opens: {@code per_address_per_minute}, counted apart. */
  static ChatLimits forChannels(RateLimiter limiter, ClientAddress addresses, JsonObject defaults) {
    return new ChatLimits(limiter, addresses, defaults, "c");
  }

  @Override
  public void handle(RoutingContext ctx) {
    JsonObject bot = ctx.get(ChatAccess.BOT);
    JsonObject limits = bot.getJsonObject("rate_limit", new JsonObject());
    int perSession = turns ? limit(limits, "per_session_per_minute") : 0;
    int perAddress = limit(limits, "per_address_per_minute");
    if (perSession <= 0 && perAddress <= 0) {
      ctx.next();
      return;
    }
    String botId = bot.getString("id");
    long now = System.currentTimeMillis();
    Future<Long> byAddress = perAddress <= 0 ? Future.succeededFuture(0L)
        : limiter.hit(botId + "|" + kind + "|" + addresses.of(ctx.request()), now);
    String session = turns ? sessionOf(ctx) : null;
    Future<Long> bySession = perSession <= 0 || session == null ? Future.succeededFuture(0L)
        : limiter.hit(botId + "|s|" + session, now);
    Future.all(byAddress, bySession).onComplete(counted -> {
      if (counted.failed()) {
        ctx.next();
        return;
      }
      boolean over = perAddress > 0 && byAddress.result() > perAddress || perSession > 0 && bySession.result() > perSession;
      if (!over) {
        ctx.next();
        return;
      }
      String which = perSession > 0 && bySession.result() > perSession ? "this session" : "your address";
      ctx.fail(new ParleyException(ErrorCodes.TOO_MANY_REQUESTS, "rate_limited",
          "Too many " + (turns ? "messages" : "requests") + " from " + which + "; try again in a moment", null,
          RateLimiter.retryAfterSeconds(now)));
    });
  }

  private int limit(JsonObject bot, String key) {
    Integer own = bot.getInteger(key);
    Integer value = own != null ? own : defaults.getInteger(key);
    return value == null ? 0 : value;
  }

  /**
   * The turn's session id when the body names a well-formed one (a malformed one is reported by the turn's limits,
   * in {@link dev.parley.chat.ChatPipeline}).
   */
  private static String sessionOf(RoutingContext ctx) {
    try {
      Object id = JsonBodies.object(ctx).getValue(Fields.SESSION_ID);
      return id instanceof String text && Ids.isSessionId(text) ? text : null;
    } catch (ParleyException malformed) {
      return null;
    }
  }
}
