package dev.parley.rag;

import dev.parley.common.Terms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryCachingPolicy;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;

/**
 * The embedded Lucene index of every bot's chunks, under {@code data/index}: an HNSW vector
 * field (dot product over unit vectors, i.e. cosine) and a BM25 text field (English
 * analysis) per chunk, with bot and document as exact-match fields so every query filters by
 * bot inside the index. Hybrid search fuses the two rankings by reciprocal rank.
 *
 * <p>One instance per folder and process, shared by the verticle instances (Lucene allows a
 * single writer); a document's chunks are written in one atomic update, so a search never sees half a
 * document, and committed (alone, or with other documents' writes: {@link IndexCommits}) before the
 * document counts as indexed, so the index survives restarts. All methods block.
 */
final class KnowledgeIndex {

  /** Which ranking a search uses. */
  enum Mode { HYBRID, VECTOR, BM25 }

  /**
   * A passage found by a search: {@code score} is its cosine similarity to the query, {@code fused} its
   * reciprocal-rank fusion, {@code bm25} its BM25 score (0 when the text search did not find it); {@code terms} the
   * {@link Terms#analysed} terms of its heading and content ({@link #analysedText}) as the index keeps them, or null
   * when it does not (a chunk indexed before it did, or found in another store): then the re-ranking analyses the text.
   */
  record Hit(String documentId, String documentName, String heading, String content, int position, double score,
      double fused, double bm25, List<String> terms) {

    Hit(String documentId, String documentName, String heading, String content, int position, double score,
        double fused) {
      this(documentId, documentName, heading, content, position, score, fused, 0, null);
    }
  }

  /** A chunk as stored: its place, text and vector (null in a text-only index). */
  record Entry(String chunkId, int position, String heading, String content, float[] vector) {
  }

  /** The vector field of the local model, as indexes made before other models existed have it. */
  static final String DEFAULT_VECTOR_FIELD = "vector";

  static final int CANDIDATES = 50;
  /** The stored field of a chunk's {@link Terms#analysed} terms. */
  private static final String TERMS = "terms";
  static final int RRF_K = 60;
  /** Below this many chunks in the index, a hybrid search runs its BM25 half on its own thread after the vector half. */
  static final int INLINE_TEXT_SEARCH_BELOW = 20_000;
  private static final Map<Path, KnowledgeIndex> OPEN = new HashMap<>();

  private final Path folder;
  private final PrivateDirectory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final Analyzer analyzer = new EnglishAnalyzer();
  /** Runs the BM25 half of a hybrid search while the calling thread runs the vector half (on a large index). */
  private final ExecutorService textSearches = Executors.newFixedThreadPool(2, runnable -> {
    Thread thread = new Thread(runnable, "parley-rag-text-search");
    thread.setDaemon(true);
    return thread;
  });
  private int references;

  /**
   * Caches the bot filter (a bitset per large segment, in Lucene's query cache): rebuilding it on
   * every query was a third of a search's time at 100k chunks. Other queries are not cached.
   */
  private static final QueryCachingPolicy BOT_FILTER_CACHING = new QueryCachingPolicy() {
    @Override
    public void onUse(Query query) {
    }

    @Override
    public boolean shouldCache(Query query) {
      return query instanceof TermQuery term && term.getTerm().field().equals("bot_id");
    }
  };

  private KnowledgeIndex(Path folder) throws IOException {
    this.folder = folder;
    this.directory = PrivateDirectory.open(folder);
    IndexWriterConfig config = new IndexWriterConfig(analyzer).setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
    this.writer = new IndexWriter(directory, config);
    this.searchers = new SearcherManager(writer, new SearcherFactory() {
      @Override
      public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
        IndexSearcher searcher = new IndexSearcher(reader);
        searcher.setQueryCachingPolicy(BOT_FILTER_CACHING);
        return searcher;
      }
    });
  }

  /** Opens (or shares) the index in {@code folder}. Pair with {@link #release()}. */
  static synchronized KnowledgeIndex open(Path folder) {
    Path key = folder.toAbsolutePath().normalize();
    KnowledgeIndex index = OPEN.get(key);
    if (index == null) {
      try {
        index = new KnowledgeIndex(key);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot open the knowledge index in " + key, e);
      }
      OPEN.put(key, index);
    }
    index.references++;
    return index;
  }

  /** Closes the index once its last user has released it. */
  void release() {
    synchronized (KnowledgeIndex.class) {
      if (--references > 0) {
        return;
      }
      OPEN.remove(folder);
    }
    textSearches.shutdownNow();
    try {
      searchers.close();
      writer.close();
      directory.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The vector field of an embedding model. Each model has its own field (their dimensions
   * differ), so one index holds a bot's documents while they are re-embedded with a new model.
   */
  static String vectorField(String model) {
    return model == null || model.equals(LocalEmbeddings.MODEL) ? DEFAULT_VECTOR_FIELD
        : "vector_" + model.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
  }

  /** Replaces every chunk of the document with {@code entries}, atomically, and commits. */
  void replaceDocument(String botId, String documentId, String documentName, List<Entry> entries) throws IOException {
    replaceDocument(botId, documentId, documentName, DEFAULT_VECTOR_FIELD, entries);
  }

  /** As {@link #replaceDocument(String, String, String, List)}, the vectors in {@code vectorField}. */
  void replaceDocument(String botId, String documentId, String documentName, String vectorField, List<Entry> entries)
      throws IOException {
    write(botId, documentId, documentName, vectorField, entries);
    commit();
  }

  /**
   * Replaces every chunk of the document with {@code entries} in one atomic update, not yet committed: a
   * restart keeps them, and searches see them, after the next {@link #commit()}.
   */
  void write(String botId, String documentId, String documentName, String vectorField, List<Entry> entries)
      throws IOException {
    List<Document> docs = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      Document doc = new Document();
      doc.add(new StringField("chunk_id", e.chunkId(), Field.Store.YES));
      doc.add(new StringField("bot_id", botId, Field.Store.YES));
      doc.add(new StringField("document_id", documentId, Field.Store.YES));
      doc.add(new StoredField("document_name", documentName));
      doc.add(new StoredField("heading", e.heading()));
      doc.add(new StoredField("content", e.content()));
      doc.add(new StoredField("position", e.position()));
      doc.add(new TextField("text", e.heading() + "\n" + e.content(), Field.Store.NO));
      doc.add(new StoredField(TERMS, String.join(" ", Terms.analysed(analysedText(e.heading(), e.content())))));
      if (e.vector() != null) {
        doc.add(new KnnFloatVectorField(vectorField, e.vector(), VectorSimilarityFunction.DOT_PRODUCT));
      }
      docs.add(doc);
    }
    writer.updateDocuments(new Term("document_id", documentId), docs);
  }

  void deleteDocument(String documentId) throws IOException {
    writer.deleteDocuments(new Term("document_id", documentId));
    commit();
  }

  void deleteBot(String botId) throws IOException {
    writer.deleteDocuments(new Term("bot_id", botId));
    commit();
  }

  /** Makes every write so far durable (segment files fsynced) and searched (the searcher refreshed). */
  void commit() throws IOException {
    writer.commit();
    searchers.maybeRefreshBlocking();
  }

  /** Whether writes are waiting for a commit. */
  boolean uncommitted() {
    return writer.hasUncommittedChanges();
  }

  /** How many chunks the bot has in the index. */
  int count(String botId) throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      return searcher.count(new TermQuery(new Term("bot_id", botId)));
    } finally {
      searchers.release(searcher);
    }
  }

  /** How many chunks the document has in the index. */
  int countDocument(String documentId) throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      return searcher.count(new TermQuery(new Term("document_id", documentId)));
    } finally {
      searchers.release(searcher);
    }
  }

  /**
   * The best {@code topK} chunks of the bot for the query whose cosine similarity is at least
   * {@code minScore}. Each ranking looks at {@link #CANDIDATES} chunks (the HNSW search beam
   * is its k, so asking for few hurts recall); hybrid orders by reciprocal-rank fusion.
   */
  List<Hit> search(String botId, String query, float[] vector, int topK, double minScore, Mode mode) throws IOException {
    return search(botId, DEFAULT_VECTOR_FIELD, query, vector, topK, minScore, mode);
  }

  /** As {@link #search(String, String, float[], int, double, Mode)}, over the vectors in {@code vectorField}. */
  List<Hit> search(String botId, String vectorField, String query, float[] vector, int topK, double minScore, Mode mode)
      throws IOException {
    IndexSearcher searcher = searchers.acquire();
    Future<ScoreDoc[]> text = null;
    try {
      Query filter = ownsEverything(searcher, botId) ? null : new TermQuery(new Term("bot_id", botId));
      int k = Math.max(CANDIDATES, topK);
      // on a small index the BM25 half takes less than handing it to another thread and back
      boolean inline = searcher.getIndexReader().maxDoc() < INLINE_TEXT_SEARCH_BELOW;
      text = mode == Mode.VECTOR || inline ? null : textSearches.submit(() -> bm25(searcher, query, filter, k));
      Map<Integer, double[]> candidates = new LinkedHashMap<>(); // doc → {fused, cosine or NaN, bm25}
      if (mode != Mode.BM25) {
        TopDocs knn = searcher.search(new KnnFloatVectorQuery(vectorField, vector, k, filter), k);
        fuse(candidates, knn.scoreDocs, true);
      }
      if (text != null) {
        fuse(candidates, textResult(text), false);
      } else if (mode != Mode.VECTOR) {
        fuse(candidates, bm25(searcher, query, filter, k), false);
      }
      List<Map.Entry<Integer, double[]>> ranked = new ArrayList<>(candidates.entrySet());
      ranked.sort(Comparator.comparingDouble((Map.Entry<Integer, double[]> e) -> -e.getValue()[0])
          .thenComparingInt(Map.Entry::getKey));
      List<Hit> hits = new ArrayList<>();
      StoredFields stored = null; // one per search: it keeps the block of chunks it decompressed last
      for (Map.Entry<Integer, double[]> candidate : ranked) {
        if (hits.size() >= topK) {
          break;
        }
        double cosine = candidate.getValue()[1];
        if (Double.isNaN(cosine)) {
          cosine = cosine(searcher, vectorField, candidate.getKey(), vector);
        }
        if (cosine < minScore) {
          continue;
        }
        if (stored == null) {
          stored = searcher.storedFields();
        }
        Document doc = stored.document(candidate.getKey());
        hits.add(new Hit(doc.get("document_id"), doc.get("document_name"), doc.get("heading"), doc.get("content"),
            doc.getField("position").numericValue().intValue(), cosine, candidate.getValue()[0],
            candidate.getValue()[2], terms(doc.get(TERMS))));
      }
      return hits;
    } finally {
      if (text != null && !text.isDone()) {
        awaitQuietly(text); // the searcher must outlive the text half, even when the vector half failed
      }
      searchers.release(searcher);
    }
  }

  /** The text of a chunk whose terms the index keeps: its heading path and content, as re-ranking reads it. */
  static String analysedText(String heading, String content) {
    return (heading == null ? "" : heading) + "\n" + content;
  }

  /** The terms kept with a chunk (space-separated: an analysed term holds no space), or null when none were. */
  private static List<String> terms(String kept) {
    if (kept == null) {
      return null;
    }
    return kept.isEmpty() ? List.of() : List.of(kept.split(" "));
  }

  private static void awaitQuietly(Future<?> task) {
    try {
      task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException ignored) {
      // the failure of the vector half is the one reported
    }
  }

  /** Whether every chunk in the index is the bot's (then no filter is needed): one term lookup per segment. */
  private static boolean ownsEverything(IndexSearcher searcher, String botId) throws IOException {
    IndexReader reader = searcher.getIndexReader();
    return reader.maxDoc() > 0 && reader.docFreq(new Term("bot_id", botId)) == reader.maxDoc();
  }

  private ScoreDoc[] bm25(IndexSearcher searcher, String query, Query filter, int k) throws IOException {
    Query text = SearchQuery.bm25(analyzer, searcher.getIndexReader(), "text", query);
    if (text == null) {
      return new ScoreDoc[0];
    }
    BooleanQuery.Builder bm25 = new BooleanQuery.Builder().add(text, BooleanClause.Occur.MUST);
    if (filter != null) {
      bm25.add(filter, BooleanClause.Occur.FILTER);
    }
    return searcher.search(bm25.build(), k).scoreDocs;
  }

  private static ScoreDoc[] textResult(Future<ScoreDoc[]> text) throws IOException {
    try {
      return text.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while searching", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  private static void fuse(Map<Integer, double[]> candidates, ScoreDoc[] ranking, boolean vectorScores) {
    for (int rank = 0; rank < ranking.length; rank++) {
      ScoreDoc hit = ranking[rank];
      double[] entry = candidates.computeIfAbsent(hit.doc, d -> new double[] {0, Double.NaN, 0});
      entry[0] += 1.0 / (RRF_K + rank + 1);
      if (vectorScores) {
        entry[1] = 2.0 * hit.score - 1.0; // Lucene scores DOT_PRODUCT as (1 + dot) / 2
      } else {
        entry[2] = hit.score;
      }
    }
  }

  /** The cosine of a chunk found by BM25 alone, read from its stored vector. */
  private static double cosine(IndexSearcher searcher, String vectorField, int doc, float[] query) throws IOException {
    if (query == null) {
      return 1.0;
    }
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
    FloatVectorValues values = leaf.reader().getFloatVectorValues(vectorField);
    if (values == null || values.advance(doc - leaf.docBase) != doc - leaf.docBase) {
      return 0.0;
    }
    float[] v = values.vectorValue();
    double dot = 0;
    for (int i = 0; i < v.length; i++) {
      dot += v[i] * query[i];
    }
    return dot;
  }
}
