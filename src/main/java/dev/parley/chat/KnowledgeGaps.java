package dev.parley.chat;

import dev.parley.common.Fields;
import dev.parley.common.MemoryClient;
import dev.parley.common.RagClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A bot's knowledge gaps: the visitor questions of the last {@code days} that found nothing or only weak passages,
 * got a thumbs-down or were handed to a person (memory, at most {@link #SCANNED}, the newest), grouped by meaning
 * (the knowledge component's embedding model, {@link #SIMILARITY}), the biggest groups first. Each group:
 * {@code {question, count, reasons: {nothing_found, weak, thumbs_down, handoff}, last_at, examples}}, its
 * {@code question} the newest of its texts and {@code examples} its newest {@link #EXAMPLES}.
 */
public final class KnowledgeGaps {

  /** The most questions one request groups (the newest). */
  public static final int SCANNED = 500;
  /** How far back a request may look, in days. */
  public static final int MAX_DAYS = 90;
  /** A passage whose relevance is under this is weak (the bot's own {@code rag.min_score} makes it abstain). */
  public static final double WEAK_BELOW = 0.25;
  /** The cosine to a group's centroid at which a question joins it. */
  static final double SIMILARITY = 0.7;
  static final int EXAMPLES = 5;
  private static final String[] REASONS = {"nothing_found", "weak", "thumbs_down", "handoff"};

  private final MemoryClient memory;
  private final RagClient rag;

  public KnowledgeGaps(MemoryClient memory, RagClient rag) {
    this.memory = memory;
    this.rag = rag;
  }

  /** {@code {days, scanned, limit, model, groups}}. */
  public Future<JsonObject> of(String requestId, String botId, int days, long now) {
    long since = now - days * 86_400_000L;
    return memory.gaps(requestId, botId, since, WEAK_BELOW, SCANNED).compose(found -> {
      JsonArray questions = found.getJsonArray("questions", new JsonArray());
      JsonObject answer = new JsonObject().put(Fields.DAYS, days).put("scanned", questions.size())
          .put(Fields.LIMIT, SCANNED).put("weak_below", WEAK_BELOW);
      if (questions.isEmpty()) {
        return Future.succeededFuture(answer.put(Fields.MODEL, null).put(Fields.GROUPS, new JsonArray()));
      }
      JsonArray texts = new JsonArray();
      questions.forEach(q -> texts.add(((JsonObject) q).getString(Fields.TEXT)));
      return rag.group(requestId, texts, SIMILARITY).map(grouped -> answer
          .put(Fields.MODEL, grouped.getString(Fields.MODEL))
          .put(Fields.GROUPS, groups(questions, grouped.getJsonArray(Fields.GROUPS))));
    });
  }

  /** The groups as the operator sees them, biggest first (then the most recent). */
  static JsonArray groups(JsonArray questions, JsonArray indexes) {
    List<JsonObject> groups = new ArrayList<>();
    for (Object item : indexes) {
      JsonArray members = (JsonArray) item;
      JsonObject reasons = new JsonObject();
      for (String reason : REASONS) {
        reasons.put(reason, 0);
      }
      JsonArray examples = new JsonArray();
      long last = 0;
      for (int i = 0; i < members.size(); i++) {
        JsonObject question = questions.getJsonObject(members.getInteger(i));
        for (Object reason : question.getJsonArray("reasons", new JsonArray())) {
          reasons.put((String) reason, reasons.getInteger((String) reason, 0) + 1);
        }
        last = Math.max(last, question.getLong(Fields.CREATED_AT));
        if (examples.size() < EXAMPLES) {
          examples.add(question);
        }
      }
      // questions come newest first, and so do a group's members
      groups.add(new JsonObject().put("question", examples.getJsonObject(0).getString(Fields.TEXT))
          .put("count", members.size()).put("reasons", reasons).put("last_at", last).put("examples", examples));
    }
    groups.sort(Comparator.comparingInt((JsonObject g) -> g.getInteger("count")).reversed()
        .thenComparing(Comparator.comparingLong((JsonObject g) -> g.getLong("last_at")).reversed()));
    return new JsonArray(new ArrayList<>(groups));
  }
}
