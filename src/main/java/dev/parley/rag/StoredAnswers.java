package dev.parley.rag;

import dev.parley.common.Addresses;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bot's stored answers (issue 16, answer overrides): the list an operator keeps, its CSV import and export, and the
 * match of a visitor's message against it by meaning. Each answer's question and alternative questions are embedded
 * with the configured embedding model when written; the vectors are kept with the row and, per bot, in memory until
 * the bot's answers change. A row embedded with another model (or whose embedding failed when written) is embedded
 * again on its first match. Limits: {@code max_per_bot} answers (409 {@code quota_exceeded}; counted again in the
 * transaction that writes them, under a lock, so creations and imports sent at once cannot pass it) and
 * {@code max_csv_bytes} per import (413).
 */
final class StoredAnswers {

  private static final Logger LOG = LoggerFactory.getLogger(StoredAnswers.class);
  static final int DEFAULT_MAX_PER_BOT = 1_000;
  static final int DEFAULT_MAX_CSV_BYTES = 1024 * 1024;

  /** An answer ready to match: its JSON, and the vectors of its question and alternatives, in that order. */
  private record Candidate(JsonObject answer, List<String> questions, List<float[]> vectors) {
  }

  private final AnswerStore store;
  private final Embedders embedders;
  private final int maxPerBot;
  private final int maxCsvBytes;
  /** A bot's candidates as read at {@code at} (epoch ms). */
  private record Loaded(Future<List<Candidate>> candidates, long at) {
  }

  static final long DEFAULT_REFRESH_MS = 60_000;

  private final Map<String, Loaded> candidates = new ConcurrentHashMap<>();
  private final long refreshMs;
  private final Consumer<String> announce;
  /** Told after a bot's answers are forgotten (the node's {@code LocalKnowledge} forgets its empty bots). */
  private final Runnable forgotten;

  /**
   * {@code settings}: the {@code rag.answers} config ({@code max_per_bot}, {@code max_csv_bytes}); {@code announce}
   * tells the other instances that a bot's answers changed ({@link Addresses#EVENTS_ANSWERS_CHANGED}): each keeps its
   * own candidates, read once.
   */
  StoredAnswers(AnswerStore store, Embedders embedders, JsonObject settings, Consumer<String> announce,
      Runnable forgotten) {
    this.store = store;
    this.embedders = embedders;
    this.announce = announce;
    this.forgotten = forgotten;
    this.maxPerBot = settings.getInteger("max_per_bot", DEFAULT_MAX_PER_BOT);
    this.maxCsvBytes = settings.getInteger("max_csv_bytes", DEFAULT_MAX_CSV_BYTES);
    this.refreshMs = settings.getLong("refresh_ms", DEFAULT_REFRESH_MS);
  }

  Future<JsonObject> list(String botId) {
    return store.list(botId).map(all -> new JsonObject().put("answers", all).put("max_answers", maxPerBot));
  }

  Future<JsonObject> get(String botId, String id) {
    return store.get(botId, id);
  }

  Future<JsonObject> create(String botId, JsonObject body) {
    AnswerDraft draft = AnswerDraft.from(body);
    return store.count(botId).compose(n -> {
      if (n + 1 > maxPerBot) {
        return Future.failedFuture(quotaExceeded());
      }
      return vectors(draft.questions());
    }).compose(vectors -> {
      long now = System.currentTimeMillis();
      Map<String, Object> row = row(Ids.prefixed("ans"), botId, draft, vectors, now);
      return store.write(botId, maxPerBot, this::quotaExceeded, List.of(row))
          .compose(v -> changed(botId, store.get(botId, (String) row.get("id"))));
    });
  }

  /** Replaces the answer's question, answer and alternatives (a PUT is the whole answer). */
  Future<JsonObject> update(String botId, String id, JsonObject body) {
    AnswerDraft draft = AnswerDraft.from(body);
    return store.get(botId, id).compose(found -> vectors(draft.questions()))
        .compose(vectors -> store.update(row(id, botId, draft, vectors, System.currentTimeMillis())))
        .compose(v -> changed(botId, store.get(botId, id)));
  }

  Future<Void> delete(String botId, String id) {
    return changed(botId, store.delete(botId, id));
  }

  /**
   * Imports a CSV ({@link AnswerCsv}) all or nothing: a row whose question is already stored (case aside) updates that
   * answer, the others are added. {@code {created, updated, total}}.
   */
  Future<JsonObject> importCsv(String botId, String csv) {
    if (csv.getBytes(StandardCharsets.UTF_8).length > maxCsvBytes) {
      return Future.failedFuture(new ParleyException(ErrorCodes.PAYLOAD_TOO_LARGE, "payload_too_large",
          "A CSV import may be at most " + maxCsvBytes + " bytes"));
    }
    List<AnswerDraft> drafts = AnswerCsv.read(csv);
    if (drafts.size() > maxPerBot) {
      return Future.failedFuture(quotaExceeded());
    }
    return store.list(botId).compose(existing -> {
      Map<String, JsonObject> byQuestion = new HashMap<>();
      existing.forEach(a -> byQuestion.put(key(((JsonObject) a).getString("question")), (JsonObject) a));
      Map<String, AnswerDraft> latest = new java.util.LinkedHashMap<>();
      drafts.forEach(d -> latest.put(key(d.question()), d));
      // a quick refusal before the embedding; the count that holds is taken again under the lock (importRows)
      long added = latest.keySet().stream().filter(k -> !byQuestion.containsKey(k)).count();
      if (existing.size() + added > maxPerBot) {
        return Future.failedFuture(quotaExceeded());
      }
      List<String> texts = new ArrayList<>();
      latest.values().forEach(d -> texts.addAll(d.questions()));
      return embedAll(texts).compose(vectors -> {
        long now = System.currentTimeMillis();
        List<Map<String, Object>> rows = new ArrayList<>();
        int at = 0;
        for (AnswerDraft draft : latest.values()) {
          int count = draft.questions().size();
          rows.add(row(Ids.prefixed("ans"), botId, draft, vectors == null ? null : vectors.subList(at, at + count), now));
          at += count;
        }
        // which rows update a stored answer is decided again under the store's lock: another write may have come since
        return changed(botId, store.importRows(botId, maxPerBot, this::quotaExceeded, rows, StoredAnswers::key));
      });
    });
  }

  Future<String> exportCsv(String botId) {
    return store.list(botId).map(AnswerCsv::write);
  }

  /**
   * The stored answer whose question (or an alternative) is nearest in meaning to {@code query}, when its cosine is at
   * least {@code threshold}: {@code {match: {id, question, answer, matched_question, score} | null, best_score}}.
   * A bot without answers answers {@code {match: null}} without embedding anything.
   */
  Future<JsonObject> match(String botId, String query, double threshold) {
    return candidates(botId).compose(all -> {
      if (all.isEmpty() || query == null || query.isBlank()) {
        return Future.succeededFuture(new JsonObject().putNull("match"));
      }
      // the text retrieval embeds for the same message: a turn's message is embedded once (QueryVectors)
      return embedders.configured().embedQuery(SearchQuery.embedded(query)).map(vector -> best(all, vector, threshold));
    });
  }

  /** Forgets a bot's cached candidates (its answers changed, or it was deleted). */
  void forget(String botId) {
    candidates.remove(botId);
    forgotten.run();
  }

  /** Whether the bot has no stored answer (as last read here). */
  Future<Boolean> none(String botId) {
    return candidates(botId).map(List::isEmpty);
  }

  private static JsonObject best(List<Candidate> all, float[] query, double threshold) {
    Candidate winner = null;
    String matched = null;
    double best = -1;
    for (Candidate candidate : all) {
      for (int i = 0; i < candidate.vectors().size(); i++) {
        double score = AnswerVectors.cosine(query, candidate.vectors().get(i));
        if (score > best) {
          best = score;
          winner = candidate;
          matched = candidate.questions().get(i);
        }
      }
    }
    double rounded = Math.round(best * 10_000) / 10_000.0;
    JsonObject result = new JsonObject().put("best_score", rounded);
    if (winner == null || best < threshold) {
      return result.putNull("match");
    }
    JsonObject answer = winner.answer();
    return result.put("match", new JsonObject().put("id", answer.getString("id"))
        .put("question", answer.getString("question")).put("answer", answer.getString("answer"))
        .put("matched_question", matched).put("score", rounded));
  }

  /**
   * The bot's answers as last read here: read again after a change ({@link #forget}, on every instance through
   * {@link Addresses#EVENTS_ANSWERS_CHANGED}), and at the latest {@code refresh_ms} after they were read, for an
   * instance that missed the event (a node cut off while the change was published).
   */
  private Future<List<Candidate>> candidates(String botId) {
    Loaded cached = candidates.get(botId);
    long now = System.currentTimeMillis();
    if (cached != null && !cached.candidates().failed() && now - cached.at() < refreshMs) {
      return cached.candidates();
    }
    Future<List<Candidate>> loading = store.withVectors(botId).compose(rows -> load(botId, rows, 0, new ArrayList<>()));
    candidates.put(botId, new Loaded(loading, now));
    return loading;
  }

  /** The rows as candidates, embedding again (and storing) those without vectors of the configured model. */
  private Future<List<Candidate>> load(String botId, List<AnswerStore.Stored> rows, int i, List<Candidate> done) {
    if (i >= rows.size()) {
      return Future.succeededFuture(done);
    }
    AnswerStore.Stored row = rows.get(i);
    JsonObject answer = row.answer();
    List<String> questions = new ArrayList<>();
    questions.add(answer.getString("question"));
    answer.getJsonArray("alt_questions").forEach(q -> questions.add((String) q));
    Embedder embedder = embedders.configured();
    List<float[]> stored = embedder.model().equals(row.model()) ? AnswerVectors.decode(row.vectors(), questions.size())
        : null;
    Future<List<float[]>> vectors = stored != null ? Future.succeededFuture(stored)
        : embedAll(questions).compose(made -> store.setVectors(botId, answer.getString("id"),
            AnswerVectors.encode(made), embedder.model()).map(v -> made));
    return vectors.compose(v -> {
      done.add(new Candidate(answer, questions, v));
      return load(botId, rows, i + 1, done);
    });
  }

  /** The vectors of the texts, or null when they cannot be made now (they are made on the first match then). */
  private Future<List<float[]>> vectors(List<String> texts) {
    return embedAll(texts).recover(failure -> {
      LOG.warn("Stored answer not embedded now ({}); it is embedded when first matched", failure.getMessage());
      return Future.succeededFuture(null);
    });
  }

  private Future<List<float[]>> embedAll(List<String> texts) {
    Embedder embedder = embedders.configured();
    int batch = Math.max(1, embedder.batch());
    Future<List<float[]>> all = Future.succeededFuture(new ArrayList<>());
    for (int from = 0; from < texts.size(); from += batch) {
      List<String> part = texts.subList(from, Math.min(texts.size(), from + batch));
      all = all.compose(done -> embedder.embed(part).map(made -> {
        done.addAll(made);
        return done;
      }));
    }
    return all;
  }

  private Map<String, Object> row(String id, String botId, AnswerDraft draft, List<float[]> vectors, long now) {
    Map<String, Object> row = new HashMap<>();
    row.put("id", id);
    row.put("bot_id", botId);
    row.put("question", draft.question());
    row.put("answer", draft.answer());
    row.put("alt_questions", draft.altJson().encode());
    row.put("created_at", now);
    row.put("updated_at", now);
    row.put("vectors", vectors == null ? null : AnswerVectors.encode(vectors));
    row.put("embedding_model", vectors == null ? null : embedders.configured().model());
    return row;
  }

  private <T> Future<T> changed(String botId, Future<T> write) {
    return write.onComplete(done -> {
      forget(botId);
      announce.accept(botId);
    });
  }

  private ParleyException quotaExceeded() {
    return new ParleyException(ErrorCodes.CONFLICT, "quota_exceeded", "A bot may have at most " + maxPerBot
        + " stored answers");
  }

  private static String key(String question) {
    return question.strip().toLowerCase(Locale.ROOT);
  }
}
