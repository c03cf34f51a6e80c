package dev.parley.memory;

import dev.parley.common.Fields;
import dev.parley.db.Templates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The visitor questions of a bot that its knowledge did not serve ({@code parley.memory.gaps}), newest first: those
 * whose search found nothing ({@code nothing_found}) or only weak passages (best relevance under {@code weak_below}),
 * those whose answer got a thumbs-down, and the last question before each handoff to a person. Three indexed reads
 * of at most {@code limit} rows each, merged by message (a question can have several reasons), at most {@code limit}.
 */
final class GapQuestions {

  static final String NOTHING_FOUND = "nothing_found";
  static final String WEAK = "weak";
  static final String THUMBS_DOWN = "thumbs_down";
  static final String HANDOFF = "handoff";

  private static final String COLUMNS = "u.id, u.conversation_id, u.content, u.created_at, u.top_score, u.nothing_found";

  /** The visitor's last message at or before {@code at} of the row {@code x} (a message or an event). */
  private static String lastQuestionBefore(String conversation, String before) {
    return "u.seq = (SELECT MAX(p.seq) FROM messages p WHERE p.conversation_id = " + conversation
        + " AND p.role = 'user' AND " + before + ")";
  }

  static final String RETRIEVAL = "SELECT " + COLUMNS + " FROM messages u WHERE u.bot_id = #{bot_id} "
      + "AND u.role = 'user' AND u.created_at >= #{since} AND (u.nothing_found = 1 OR u.top_score < #{weak_below}) "
      + "ORDER BY u.created_at DESC LIMIT #{limit}";

  static final String THUMBS_DOWN_SQL = "SELECT " + COLUMNS + " FROM messages a JOIN messages u "
      + "ON u.conversation_id = a.conversation_id AND u.role = 'user' AND "
      + lastQuestionBefore("a.conversation_id", "p.seq < a.seq")
      + " WHERE a.bot_id = #{bot_id} AND a.role = 'assistant' AND a.feedback = 'down' AND a.created_at >= #{since} "
      + "ORDER BY a.created_at DESC LIMIT #{limit}";

  /** A handoff is the change of state to {@code waiting} (ConversationStates stores {@code {"state":"waiting"}}). */
  static final String HANDOFF_SQL = "SELECT " + COLUMNS + " FROM conversation_events e JOIN messages u "
      + "ON u.conversation_id = e.conversation_id AND u.role = 'user' AND "
      + lastQuestionBefore("e.conversation_id", "p.created_at <= e.at")
      + " WHERE e.bot_id = #{bot_id} AND e.type = 'state' AND e.data LIKE '{\"state\":\"waiting\"%' "
      + "AND e.at >= #{since} ORDER BY e.at DESC LIMIT #{limit}";

  private final Pool pool;

  GapQuestions(Pool pool) {
    this.pool = pool;
  }

  /** {@code {questions: [{message_id, conversation_id, text, created_at, top_score, reasons: […]}]}}, newest first. */
  Future<JsonObject> questions(String botId, long since, double weakBelow, int limit) {
    Map<String, Object> params = Map.of(Fields.BOT_ID, botId, "since", since, "weak_below", weakBelow,
        Fields.LIMIT, limit);
    Future<List<Row>> retrieval = read(RETRIEVAL, params);
    Future<List<Row>> disliked = read(THUMBS_DOWN_SQL, params);
    Future<List<Row>> handedOff = read(HANDOFF_SQL, params);
    return Future.all(retrieval, disliked, handedOff).map(all -> {
      Map<String, JsonObject> questions = new LinkedHashMap<>();
      for (Row row : retrieval.result()) {
        add(questions, row, isTrue(row.getValue(Fields.NOTHING_FOUND)) ? NOTHING_FOUND : WEAK);
      }
      disliked.result().forEach(row -> add(questions, row, THUMBS_DOWN));
      handedOff.result().forEach(row -> add(questions, row, HANDOFF));
      List<JsonObject> newest = new ArrayList<>(questions.values());
      newest.sort(Comparator.comparingLong((JsonObject q) -> q.getLong(Fields.CREATED_AT)).reversed());
      return new JsonObject().put("questions", new JsonArray(new ArrayList<>(newest.subList(0,
          Math.min(limit, newest.size())))));
    });
  }

  private Future<List<Row>> read(String sql, Map<String, Object> params) {
    return Templates.forQuery(pool, sql).execute(params).map(rows -> {
      List<Row> list = new ArrayList<>();
      rows.forEach(list::add);
      return list;
    });
  }

  private static void add(Map<String, JsonObject> questions, Row row, String reason) {
    JsonObject question = questions.computeIfAbsent(row.getString("id"), id -> new JsonObject()
        .put(Fields.MESSAGE_ID, id)
        .put(Fields.CONVERSATION_ID, row.getString(Fields.CONVERSATION_ID))
        .put(Fields.TEXT, row.getString(Fields.CONTENT))
        .put(Fields.CREATED_AT, row.getLong(Fields.CREATED_AT))
        .put(Fields.TOP_SCORE, row.getValue(Fields.TOP_SCORE) instanceof Number n ? n.doubleValue() : null)
        .put("reasons", new JsonArray()));
    JsonArray reasons = question.getJsonArray("reasons");
    if (!reasons.contains(reason)) {
      reasons.add(reason);
    }
  }

  private static boolean isTrue(Object value) {
    return value instanceof Number n ? n.intValue() != 0 : Boolean.TRUE.equals(value);
  }
}
