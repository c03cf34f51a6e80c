package dev.parley.rag;

import dev.parley.common.AnswerSentences;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.Passage;
import dev.parley.common.UnicodeText;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Search of a bot's knowledge base ({@code parley.rag.search}): the query is checked, embedded with each model
 * the bot's vectors were built with (a bot part-way through a re-index has two), the rankings fused into one,
 * the best candidates re-ranked by relevance ({@link Reranker}, which compares the question with each candidate's
 * section heading too), and each hit answered as a {@link Passage} with its snippet and the page its document came
 * from; the first {@link AnswerSentences#PASSAGES} with their sentences' similarity to the question, for the
 * extractive provider. Headings and sentences are embedded by the passages' model on demand, and kept
 * ({@link TextVectors}).
 */
final class Retrieval {

  private static final Logger LOG = LoggerFactory.getLogger(Retrieval.class);
  private static final int SNIPPET_CHARS = 300;
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final DocumentStore store;
  private final VectorStore vectors;
  private final Embedders embedders;
  /** Section headings and passage sentences embedded for the second stage, kept across searches. */
  private final TextVectors shortTexts = new TextVectors();
  /** Bot and model pairs already logged as unsearchable (the model is not available here), from any search thread. */
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  Retrieval(DocumentStore store, VectorStore vectors, Embedders embedders) {
    this.store = store;
    this.vectors = vectors;
    this.embedders = embedders;
  }

  /**
   * {@code {results:[passage…], nothing_found}}, best first; 422 on an invalid field. In hybrid mode (the
   * default, what a chat turn uses) the first {@link Reranker#POOL} candidates are re-ranked by {@link Relevance},
   * {@code min_score} applies to it, and {@code nothing_found} says the search abstained; the vector and bm25
   * modes are the first stage alone, for comparison, with {@code min_score} on the cosine.
   */
  Future<JsonObject> search(JsonObject body) {
    String botId = body.getString(Fields.BOT_ID);
    Object query = body.getValue(Fields.QUERY);
    if (!(query instanceof String q) || q.isBlank()) {
      return Future.failedFuture(ParleyException.invalid("query", "'query' must be a non-empty string"));
    }
    if (q.length() > SearchQuery.MAX_CHARS) {
      return Future.failedFuture(ParleyException.invalid("query", "'query' must be at most " + SearchQuery.MAX_CHARS
          + " characters"));
    }
    Object topKValue = body.getValue(Fields.TOP_K, 4);
    Object minValue = body.getValue(Fields.MIN_SCORE, 0.0);
    if (!(topKValue instanceof Number topK) || topK.intValue() < 1 || topK.intValue() > 50) {
      return Future.failedFuture(ParleyException.invalid("top_k", "'top_k' must be a whole number from 1 to 50"));
    }
    if (!(minValue instanceof Number minScore) || minScore.doubleValue() < -1 || minScore.doubleValue() > 1) {
      return Future.failedFuture(ParleyException.invalid("min_score", "'min_score' must be a number from -1 to 1"));
    }
    KnowledgeIndex.Mode mode;
    try {
      mode = KnowledgeIndex.Mode.valueOf(body.getString(Fields.MODE, "hybrid").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | ClassCastException bad) {
      return Future.failedFuture(ParleyException.invalid("mode", "'mode' must be hybrid, vector or bm25"));
    }
    if (mode != KnowledgeIndex.Mode.HYBRID) {
      return hits(botId, q, topK.intValue(), minScore.doubleValue(), mode)
          .map(found -> found.hits().stream().map(h -> passage(h, h.score())).toList())
          .compose(this::withUrls)
          .map(passages -> results(passages, false));
    }
    // the second stage: the first stage's candidates re-ranked by relevance, the search abstaining below minScore
    return hits(botId, q, Math.max(topK.intValue(), Reranker.POOL), -1.0, mode)
        .compose(found -> headingCosines(found).map(cosines -> {
          List<Reranker.Scored> kept = Reranker.keep(Reranker.rank(q, found.hits(), cosines), minScore.doubleValue(),
              topK.intValue());
          return new Ranked(kept.stream().map(s -> passage(s.hit(), s.relevance())).toList(),
              kept.isEmpty() && !found.hits().isEmpty());
        }).compose(ranked -> withSentences(found, ranked.passages())
            .map(passages -> new Ranked(passages, ranked.nothingFound()))))
        .compose(ranked -> withUrls(ranked.passages()).map(passages -> results(passages, ranked.nothingFound())));
  }

  /** Whether the bot has a ready document to search (from memory, {@link SearchLookups}). */
  Future<Boolean> hasReady(String botId) {
    return store.models(botId).map(models -> !models.isEmpty());
  }

  /** The first stage's candidates, and the model and query vector they were found with (null for BM25 alone). */
  private record Found(List<KnowledgeIndex.Hit> hits, Embedder embedder, float[] vector) {
  }

  /**
   * Whether headings and sentences are embedded for this search: only with the in-process model. {@link Relevance}'s
   * weights are fitted on its cosines, and with an API model every new heading or sentence would be a paid call and a
   * network round trip inside the visitor's turn; such searches rank without them.
   */
  private static boolean secondOpinion(Found found) {
    return found.vector() != null && LocalEmbeddings.MODEL.equals(found.embedder().model());
  }

  /** The cosine between the query and each candidate's section heading alone (0 when it has none or no vector). */
  private Future<double[]> headingCosines(Found found) {
    double[] cosines = new double[found.hits().size()];
    if (!secondOpinion(found) || found.hits().isEmpty()) {
      return Future.succeededFuture(cosines);
    }
    List<String> headings = found.hits().stream().map(h -> Reranker.sectionOf(h.heading())).toList();
    List<String> named = headings.stream().filter(h -> !h.isBlank()).distinct().toList();
    return shortTexts.of(found.embedder(), named).map(vectors -> {
      for (int i = 0; i < cosines.length; i++) {
        int at = named.indexOf(headings.get(i));
        cosines[i] = at < 0 ? 0 : TextVectors.cosine(found.vector(), vectors.get(at));
      }
      return cosines;
    }).recover(failure -> {
      LOG.debug("Headings not embedded ({}); ranking without them", failure.getMessage());
      return Future.succeededFuture(new double[found.hits().size()]);
    });
  }

  /**
   * The passages, the first {@link AnswerSentences#PASSAGES} with the cosine between the query and each of their
   * sentences, for the extractive provider to answer with the sentences that answer.
   */
  private Future<List<Passage>> withSentences(Found found, List<Passage> passages) {
    if (!secondOpinion(found) || passages.isEmpty()) {
      return Future.succeededFuture(passages);
    }
    int n = Math.min(AnswerSentences.PASSAGES, passages.size());
    List<List<String>> sentences = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> own = AnswerSentences.split(passages.get(i).text());
      sentences.add(own);
      all.addAll(own);
    }
    return shortTexts.of(found.embedder(), all).map(vectors -> {
      List<Passage> out = new ArrayList<>(passages);
      int at = 0;
      for (int i = 0; i < n; i++) {
        List<Double> similarities = new ArrayList<>(sentences.get(i).size());
        for (int j = 0; j < sentences.get(i).size(); j++) {
          similarities.add(round(TextVectors.cosine(found.vector(), vectors.get(at++))));
        }
        out.set(i, passages.get(i).withSentenceSimilarities(similarities));
      }
      return out;
    }).recover(failure -> {
      LOG.debug("Sentences not embedded ({}); passages given without their similarities", failure.getMessage());
      return Future.succeededFuture(passages);
    });
  }

  /** What the second stage kept, and whether it abstained (there were candidates, none relevant enough). */
  private record Ranked(List<Passage> passages, boolean nothingFound) {
  }

  private static JsonObject results(List<Passage> passages, boolean nothingFound) {
    JsonArray results = new JsonArray();
    passages.forEach(p -> results.add(p.toJson()));
    return new JsonObject().put(Fields.RESULTS, results).put(Fields.NOTHING_FOUND, nothingFound);
  }

  private Future<Found> hits(String botId, String q, int topK, double minScore, KnowledgeIndex.Mode mode) {
    return store.models(botId).compose(models -> {
      if (models.isEmpty()) {
        return Future.succeededFuture(new Found(List.of(), null, null));
      }
      if (mode == KnowledgeIndex.Mode.BM25) {
        return vectors.search(botId, embedders.configured().model(), q, null, topK, minScore, mode)
            .map(hits -> new Found(hits, null, null));
      }
      List<Future<List<KnowledgeIndex.Hit>>> searches = new ArrayList<>();
      Embedder[] first = new Embedder[1]; // the model whose query vector compares headings and sentences
      float[][] firstVector = new float[1][];
      models.forEach((model, documents) -> {
        Embedder embedder = embedders.forModel(model);
        if (embedder != null) {
          boolean compares = first[0] == null;
          if (compares) {
            first[0] = embedder;
          }
          searches.add(embedder.embedQuery(SearchQuery.embedded(q))
              .compose(v -> {
                if (compares) {
                  firstVector[0] = v;
                }
                return vectors.search(botId, model, q, v, topK, minScore, mode);
              }));
        } else if (warned.add(botId + " " + model)) {
          LOG.warn("Bot {}: {} of its documents were embedded with {}, which is not configured here (the configured "
              + "model is {}); {} until the bot is re-indexed", botId, documents, model, embedders.configured().model(),
              models.size() == 1 ? "it answers without retrieval" : "they are left out of retrieval");
        }
      });
      return Future.all(new ArrayList<>(searches)).map(all -> {
        List<List<KnowledgeIndex.Hit>> lists = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          lists.add(all.resultAt(i));
        }
        return new Found(merge(lists, topK), first[0], firstVector[0]);
      });
    });
  }

  private static Passage passage(KnowledgeIndex.Hit hit, double score) {
    return new Passage(hit.documentId(), hit.documentName(), hit.heading(), snippet(hit.content()), hit.content(),
        hit.position(), round(score), null, round(hit.score()));
  }

  private static double round(double score) {
    return Math.round(score * 10_000) / 10_000.0;
  }

  /**
   * The passages with the {@code url} of their document (the page a URL or sitemap document came from; null
   * for files and texts), so answers can link their sources.
   */
  private Future<List<Passage>> withUrls(List<Passage> passages) {
    List<String> ids = new ArrayList<>();
    for (Passage passage : passages) {
      String id = passage.documentId();
      if (id != null && !ids.contains(id)) {
        ids.add(id);
      }
    }
    if (ids.isEmpty()) {
      return Future.succeededFuture(passages);
    }
    return store.urls(ids).map(urls -> passages.stream().map(p -> p.withUrl(urls.get(p.documentId()))).toList());
  }

  /**
   * The hits of searches over the vectors of different models (a bot part-way through a re-index), as
   * one ranking: a chunk found by several keeps its best similarity and best fused rank.
   */
  static List<KnowledgeIndex.Hit> merge(List<List<KnowledgeIndex.Hit>> lists, int topK) {
    if (lists.size() == 1) {
      return lists.get(0);
    }
    Map<String, KnowledgeIndex.Hit> best = new LinkedHashMap<>();
    for (List<KnowledgeIndex.Hit> hits : lists) {
      for (KnowledgeIndex.Hit h : hits) {
        best.merge(h.documentId() + ":" + h.position(), h, (a, b) -> new KnowledgeIndex.Hit(a.documentId(),
            a.documentName(), a.heading(), a.content(), a.position(), Math.max(a.score(), b.score()),
            Math.max(a.fused(), b.fused()), Math.max(a.bm25(), b.bm25()), a.terms() != null ? a.terms() : b.terms()));
      }
    }
    return best.values().stream()
        .sorted(Comparator.comparingDouble((KnowledgeIndex.Hit h) -> -h.fused())
            .thenComparingDouble(h -> -h.score()))
        .limit(topK)
        .toList();
  }

  /** The passage's text on one line, cut at a word to at most {@value #SNIPPET_CHARS} characters. */
  static String snippet(String text) {
    String flat = WHITESPACE.matcher(text).replaceAll(" ").strip();
    if (flat.length() <= SNIPPET_CHARS) {
      return flat;
    }
    int cut = flat.lastIndexOf(' ', SNIPPET_CHARS);
    return (cut > SNIPPET_CHARS / 2 ? flat.substring(0, cut) : UnicodeText.prefix(flat, SNIPPET_CHARS)) + "…";
  }
}
