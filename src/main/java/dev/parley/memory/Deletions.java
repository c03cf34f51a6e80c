package dev.parley.memory;

import dev.parley.common.Fields;
import dev.parley.db.Database;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes conversations with their messages (and so their feedback) and visitor event logs in one transaction, for retention and
 * erasure on request. The day totals in {@code usage_daily} stay ({@link DailyUsage}).
 */
final class Deletions {

  private Deletions() {
  }

  /**
   * Deletes those of {@code conversationIds} whose last activity is before {@code before} (epoch ms;
   * {@link Long#MAX_VALUE} for all of them): answers {@code {conversations, messages}}, the numbers deleted.
   */
  static Future<JsonObject> delete(Database database, List<String> conversationIds, long before) {
    Map<String, Object> params = new HashMap<>();
    for (int i = 0; i < conversationIds.size(); i++) {
      params.put("c" + i, conversationIds.get(i));
    }
    params.put("before", before);
    int count = conversationIds.size();
    return database.inTransaction(tx -> Templates.forUpdate(tx, ConversationSql.deleteEvents(count)).execute(params)
        .compose(events -> Templates.forUpdate(tx, MemorySql.deleteMessages(count)).execute(params))
        .compose(messages -> Templates.forUpdate(tx, MemorySql.deleteConversations(count)).execute(params)
            .map(conversations -> new JsonObject().put("conversations", conversations.rowCount())
                .put(Fields.MESSAGES, messages.rowCount()))));
  }
}
