package dev.parley.memory;

import dev.parley.common.Fields;
import dev.parley.common.UnicodeText;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The agents' inbox: the conversations waiting for a person, those in a person's hands and, without a state
 * filter, those active in the last day; waiting first, then with a person, newest activity first. Each with its
 * unread count (visitor messages since the handoff or the last agent message), assignee and last message.
 */
final class InboxQuery {

  static final int MAX = 200;
  private static final long RECENT_MS = 24L * 3_600_000L;
  private static final int PREVIEW_CHARS = 200;

  private final Pool pool;

  InboxQuery(Pool pool) {
    this.pool = pool;
  }

  /** {@code botIds} null: every bot; {@code state} null: waiting, human and recently active. */
  Future<JsonObject> list(List<String> botIds, String state, int limit) {
    if (botIds != null && botIds.isEmpty()) {
      return Future.succeededFuture(new JsonObject().put("conversations", new JsonArray()));
    }
    Map<String, Object> params = new HashMap<>();
    StringBuilder sql = new StringBuilder(ConversationSql.INBOX_COLUMNS);
    if (state == null) {
      sql.append("(c.state IN ('waiting', 'human') OR c.updated_at >= #{recent})");
      params.put("recent", System.currentTimeMillis() - RECENT_MS);
    } else {
      sql.append("c.state = #{state}");
      params.put(Fields.STATE, state);
    }
    if (botIds != null) {
      sql.append(" AND c.bot_id IN (").append(MemorySql.params("b", botIds.size())).append(')');
      for (int i = 0; i < botIds.size(); i++) {
        params.put("b" + i, botIds.get(i));
      }
    }
    sql.append(" ORDER BY CASE c.state WHEN 'waiting' THEN 0 WHEN 'human' THEN 1 ELSE 2 END, c.updated_at DESC, c.id ")
        .append("LIMIT #{limit}");
    params.put(Fields.LIMIT, Math.max(1, Math.min(MAX, limit)));
    return Templates.forQuery(pool, sql.toString()).execute(params).map(rows -> {
      JsonArray list = new JsonArray();
      for (Row row : rows) {
        JsonObject item = row.toJson();
        item.put("unread", "waiting".equals(item.getString(Fields.STATE)) || "human".equals(item.getString(Fields.STATE))
            ? ((Number) item.getValue("unread")).longValue() : 0L);
        String last = item.getString("last_message");
        if (last != null && last.length() > PREVIEW_CHARS) {
          item.put("last_message", UnicodeText.prefix(last, PREVIEW_CHARS) + "…");
        }
        list.add(item);
      }
      return new JsonObject().put("conversations", list);
    });
  }

  /** How many conversations are in each state: {@code {bot: n, waiting: n, human: n, closed: n}}. */
  /**
   * {@code {bot, waiting, human, closed, bots: {<bot_id>: {bot, waiting, human, closed}}}}: conversations per state, in
   * all and per bot (as many entries as bots with conversations).
   */
  Future<JsonObject> perState() {
    return pool.query(ConversationSql.PER_STATE).execute().map(rows -> {
      JsonObject counts = zeros();
      JsonObject bots = new JsonObject();
      for (Row row : rows) {
        String state = row.getString("state");
        long count = ((Number) row.getValue("conversations")).longValue();
        counts.put(state, counts.getLong(state, 0L) + count);
        String botId = row.getString("bot_id");
        if (!bots.containsKey(botId)) {
          bots.put(botId, zeros());
        }
        bots.getJsonObject(botId).put(state, count);
      }
      return counts.put("bots", bots);
    });
  }

  private static JsonObject zeros() {
    JsonObject counts = new JsonObject();
    for (String state : ConversationStates.STATES) {
      counts.put(state, 0L);
    }
    return counts;
  }
}
