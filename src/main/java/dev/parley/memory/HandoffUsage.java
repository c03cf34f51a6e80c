package dev.parley.memory;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A day's numbers of humans in the conversation, as the usage page shows them (issue 14): requests for a person in
 * all and per trigger, and the first agent replies after one with their average wait. Read from {@code usage_daily}
 * (V020), where the conversation's change adds them in its own transaction.
 */
final class HandoffUsage {

  static final List<String> TRIGGERS = List.of("visitor", "keywords", "no_answer_turns", "negative_feedback", "tool");

  private HandoffUsage() {
  }

  /** {@code {handoffs, handoff_triggers: {visitor, …}, first_replies, avg_first_reply_ms}} of a {@code usage_daily} row. */
  static JsonObject ofDay(JsonObject row) {
    JsonObject triggers = new JsonObject();
    long handoffs = 0;
    for (String trigger : TRIGGERS) {
      long count = count(row, "handoffs_" + trigger);
      triggers.put(trigger, count);
      handoffs += count;
    }
    long replies = count(row, "first_replies");
    return new JsonObject().put("handoffs", handoffs).put("handoff_triggers", triggers).put("first_replies", replies)
        .put("avg_first_reply_ms", replies == 0 ? null : Math.round((double) count(row, "first_reply_ms_sum") / replies));
  }

  private static long count(JsonObject row, String field) {
    return row.getValue(field) instanceof Number n ? n.longValue() : 0L;
  }
}
