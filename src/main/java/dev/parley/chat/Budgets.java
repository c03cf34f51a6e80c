package dev.parley.chat;

import dev.parley.common.Fields;
import dev.parley.common.MemoryClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Daily budgets: whether a bot has spent its {@code budget.daily_tokens} (input + output) or
 * {@code budget.daily_cost} (USD) today (UTC). Today's spend comes from the memory component
 * ({@code parley.memory.usage}, one indexed range scan) and is cached here for
 * {@code http.budget_cache_ms}; turns this HTTP instance completes are added to the cached total
 * at once, so one node never needs the cache to expire to see its own spend. Other nodes' spend
 * shows within the cache time, so a busy cluster may overshoot a budget by that much. Bots with
 * no budget cost nothing. Used from one verticle's event loop only.
 */
public final class Budgets {

  static final long DAY_MS = 86_400_000L;
  private static final int MAX_ENTRIES = 10_000;

  private static final class Spend {
    final long day;
    final long fetchedAt;
    long tokens;
    double cost;

    Spend(long day, long fetchedAt, long tokens, double cost) {
      this.day = day;
      this.fetchedAt = fetchedAt;
      this.tokens = tokens;
      this.cost = cost;
    }
  }

  private final MemoryClient memory;
  private final long cacheMs;
  private final Map<String, Spend> spent = new HashMap<>();

  Budgets(MemoryClient memory, long cacheMs) {
    this.memory = memory;
    this.cacheMs = cacheMs;
  }

  /** Whether the bot has a daily budget at all. */
  public static boolean limited(JsonObject bot) {
    JsonObject budget = bot.getJsonObject("budget");
    return budget != null && (budget.getValue("daily_tokens") != null || budget.getValue("daily_cost") != null);
  }

  /** What the bot answers once its budget is spent. */
  static String message(JsonObject bot) {
    return bot.getJsonObject("budget", new JsonObject()).getString("message",
        "This assistant has reached its limit for today. Please try again tomorrow.");
  }

  /** Whether {@code tokens} and {@code cost} spent today reach the bot's budget. */
  public static boolean exhausted(JsonObject bot, long tokens, double cost) {
    JsonObject budget = bot.getJsonObject("budget", new JsonObject());
    Number maxTokens = (Number) budget.getValue("daily_tokens");
    Number maxCost = (Number) budget.getValue("daily_cost");
    return maxTokens != null && tokens >= maxTokens.longValue() || maxCost != null && cost >= maxCost.doubleValue();
  }

  /** True when the bot has a budget and today's spend has reached it. */
  Future<Boolean> exhausted(String requestId, JsonObject bot) {
    if (!limited(bot)) {
      return Future.succeededFuture(false);
    }
    String botId = bot.getString("id");
    long now = System.currentTimeMillis();
    long today = now / DAY_MS;
    Spend known = spent.get(botId);
    if (known != null && known.day == today && now - known.fetchedAt < cacheMs) {
      return Future.succeededFuture(exhausted(bot, known.tokens, known.cost));
    }
    return memory.usage(requestId, botId, today * DAY_MS).map(usage -> {
      if (spent.size() >= MAX_ENTRIES) {
        spent.clear();
      }
      Spend fresh = new Spend(today, now, usage.getLong(Fields.INPUT_TOKENS, 0L) + usage.getLong(Fields.OUTPUT_TOKENS, 0L),
          usage.getDouble(Fields.COST, 0.0));
      spent.put(botId, fresh);
      return exhausted(bot, fresh.tokens, fresh.cost);
    });
  }

  /** Adds a completed turn's usage to the cached spend of its bot. */
  void record(String botId, JsonObject usage) {
    Spend known = spent.get(botId);
    if (known == null || usage == null) {
      return;
    }
    known.tokens += number(usage, Fields.INPUT_TOKENS).longValue() + number(usage, Fields.OUTPUT_TOKENS).longValue();
    known.cost += number(usage, Fields.COST).doubleValue();
  }

  private static Number number(JsonObject json, String field) {
    return json.getValue(field) instanceof Number n ? n : 0;
  }
}
