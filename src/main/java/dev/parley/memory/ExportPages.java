package dev.parley.memory;

import dev.parley.common.Fields;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One page of a bot's conversation export: the conversations active in a time window, in the order they started,
 * after a keyset cursor, each whole with its messages. A page holds at most {@link #MAX_CONVERSATIONS}
 * conversations and stops adding them once it holds {@link #MAX_MESSAGES} messages (a longer conversation still
 * comes whole, alone), so what one request carries stays bounded however large the bot's history is.
 */
final class ExportPages {

  static final int MAX_CONVERSATIONS = 200;
  static final int MAX_MESSAGES = 2_000;

  private final Pool pool;

  ExportPages(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code {conversations: [{conversation_id, session_id, started_at, updated_at, messages: […]}], next}}; {@code next}
   * is the cursor {@code {after_at, after_id}} of the following page, null after the last.
   */
  Future<JsonObject> page(String botId, long since, long until, long afterAt, String afterId, int limit) {
    Map<String, Object> params = new HashMap<>();
    params.put(Fields.BOT_ID, botId);
    params.put("since", since);
    params.put("until", until);
    params.put("after_at", afterAt);
    params.put("after_id", afterId);
    params.put(Fields.LIMIT, Math.max(1, Math.min(limit, MAX_CONVERSATIONS)));
    return Templates.forQuery(pool, MemorySql.EXPORT_CONVERSATIONS).execute(params).compose(rows -> {
      Map<String, JsonObject> page = new LinkedHashMap<>();
      long messages = 0;
      boolean cut = false;
      for (Row row : rows) {
        if (!page.isEmpty() && messages + row.getLong("message_count") > MAX_MESSAGES) {
          cut = true;
          break;
        }
        messages += row.getLong("message_count");
        page.put(row.getString("id"), new JsonObject()
            .put(Fields.CONVERSATION_ID, row.getString("id"))
            .put(Fields.SESSION_ID, row.getString(Fields.SESSION_ID))
            .put("started_at", row.getLong(Fields.CREATED_AT))
            .put("updated_at", row.getLong("updated_at"))
            .put(Fields.STATE, row.getString(Fields.STATE))
            .put(Fields.ASSIGNEE_NAME, row.getString(Fields.ASSIGNEE_NAME))
            .put("state_reason", row.getString("state_reason"))
            .put(Fields.MESSAGES, new JsonArray()));
      }
      boolean more = cut || rows.size() == (Integer) params.get(Fields.LIMIT);
      return messagesOf(page).map(filled -> {
        JsonArray conversations = new JsonArray();
        JsonObject last = null;
        for (JsonObject conversation : page.values()) {
          conversations.add(conversation);
          last = conversation;
        }
        JsonObject next = more && last != null ? new JsonObject().put("after_at", last.getLong("started_at"))
            .put("after_id", last.getString(Fields.CONVERSATION_ID)) : null;
        return new JsonObject().put("conversations", conversations).put("next", next);
      });
    });
  }

  private Future<Void> messagesOf(Map<String, JsonObject> page) {
    if (page.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, Object> ids = new HashMap<>();
    for (String id : page.keySet()) {
      ids.put("c" + ids.size(), id);
    }
    return Templates.forQuery(pool, MemorySql.exportMessages(ids.size())).execute(ids).map(rows -> {
      for (Row row : rows) {
        JsonObject message = row.toJson();
        String conversationId = (String) message.remove(Fields.CONVERSATION_ID);
        String sources = message.getString(Fields.SOURCES);
        message.put(Fields.SOURCES, sources == null ? new JsonArray() : new JsonArray(sources));
        page.get(conversationId).getJsonArray(Fields.MESSAGES).add(message);
      }
      return null;
    });
  }
}
