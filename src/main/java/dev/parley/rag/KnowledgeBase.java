package dev.parley.rag;

import dev.parley.common.DataFolder;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.Hashes;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.UnicodeText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Documents of every bot: adding, background ingestion (extract → chunk → embed → index), retry,
 * deletion and search. Runs on one verticle context; every slow step (file reading, parsing,
 * embedding, Lucene) goes to a bounded worker pool, and at most {@code ingest_concurrency}
 * documents are processed at once, the rest wait in order.
 */
final class KnowledgeBase {

  private static final Logger LOG = LoggerFactory.getLogger(KnowledgeBase.class);
  private static final int SNIPPET_CHARS = 300;

  private final Vertx vertx;
  private final DocumentStore store;
  private final VectorStore vectors;
  private final WorkerExecutor ingestWorkers;
  private final WorkerExecutor searchWorkers;
  private final UrlFetcher fetcher;
  private final Path filesDir;
  private final Path modelCache;
  private final Chunker chunker;
  private final Embedders embedders;
  private final int concurrency;
  private final long maxBytes;
  private final int maxSitemapPages;
  private final int maxSitemapFiles;
  private final Quotas quotas;

  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private final Set<String> queued = new HashSet<>();
  private final Set<String> cancelled = new HashSet<>();
  private final Set<String> deletedBots = new HashSet<>();
  /** Queued documents to re-embed from their stored chunks with the configured model. */
  private final Set<String> reindexing = new HashSet<>();
  /** Bot and model pairs already logged as unsearchable (the model is not available here). */
  private final Set<String> warned = new HashSet<>();
  private int running;

  KnowledgeBase(Vertx vertx, DocumentStore store, VectorStore vectors, WorkerExecutor ingestWorkers,
      WorkerExecutor searchWorkers, UrlFetcher fetcher, Embedders embedders, Path dataDir, JsonObject config) {
    this.vertx = vertx;
    this.store = store;
    this.vectors = vectors;
    this.ingestWorkers = ingestWorkers;
    this.searchWorkers = searchWorkers;
    this.fetcher = fetcher;
    this.filesDir = dataDir.resolve("documents");
    this.modelCache = dataDir.resolve("djl");
    this.chunker = new Chunker(config.getInteger("chunk_size", 800), config.getInteger("chunk_overlap", 150));
    this.embedders = embedders;
    this.concurrency = Math.max(1, config.getInteger("ingest_concurrency", 2));
    this.maxBytes = config.getLong("max_document_bytes", 20L * 1024 * 1024);
    this.maxSitemapPages = Math.max(1, config.getInteger("max_sitemap_pages", 200));
    this.maxSitemapFiles = Math.max(0, config.getInteger("max_sitemap_files", 50));
    this.quotas = new Quotas(config.getLong("max_documents_per_bot", Quotas.DEFAULT_DOCUMENTS),
        config.getLong("max_bytes_per_bot", Quotas.DEFAULT_BYTES));
  }

  /**
   * Loads the local embedding model off the event loop when it is the configured one, so the first
   * ingestion or search does not wait for it.
   */
  Future<Void> warmUp() {
    if (!LocalEmbeddings.MODEL.equals(embedders.configured().model())) {
      return Future.succeededFuture();
    }
    return searchWorkers.executeBlocking(() -> LocalEmbeddings.load(modelCache), false).mapEmpty();
  }

  /** Queues the documents a previous run left pending or processing. */
  Future<Void> resume() {
    return store.unfinished().map(docs -> {
      for (Object doc : docs) {
        enqueue(((JsonObject) doc).getString("id"));
      }
      if (!docs.isEmpty()) {
        LOG.info("Resuming ingestion of {} documents", docs.size());
      }
      return null;
    });
  }

  // ---- documents

  /** The columns every new document starts with: pending, nothing embedded yet. */
  private static Map<String, Object> pendingRow(String id, String botId, long now) {
    Map<String, Object> row = new HashMap<>();
    row.put("id", id);
    row.put("bot_id", botId);
    row.put("status", "pending");
    row.put("error", null);
    row.put("chunks_total", 0);
    row.put("chunks_done", 0);
    row.put("content_hash", null);
    row.put("embedding_model", null);
    row.put("created_at", now);
    row.put("updated_at", now);
    row.put("synced_at", null);
    return row;
  }

  Future<JsonObject> add(JsonObject body) {
    String botId = body.getString(Fields.BOT_ID);
    String source = body.getString("source", "");
    String id = Ids.prefixed("doc");
    long now = System.currentTimeMillis();
    Map<String, Object> row = pendingRow(id, botId, now);
    row.put("url", null);
    row.put("parent_id", null);
    Future<byte[]> content;
    switch (source) {
      case "file": {
        byte[] bytes = body.getBinary("content");
        String type = Extractors.typeOf(body.getString("name"), body.getString("mime"));
        if (type == null) {
          return Future.failedFuture(new ParleyException(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
              "Parley reads txt, md, html, pdf and docx files"));
        }
        if (bytes == null) {
          bytes = new byte[0];
        }
        String mismatch = Extractors.mismatch(bytes, type);
        if (mismatch != null) {
          return Future.failedFuture(new ParleyException(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
              mismatch));
        }
        row.put("name", name(body.getString("name"), "upload." + type));
        row.put("mime", Extractors.mimeOf(type));
        row.put("size_bytes", bytes.length);
        content = Future.succeededFuture(bytes);
        break;
      }
      case "text": {
        Object text = body.getValue(Fields.TEXT);
        if (!(text instanceof String s)) {
          return Future.failedFuture(ParleyException.invalid("text", "'text' must be a string"));
        }
        Object name = body.getValue("name");
        if (!(name instanceof String n) || n.isBlank()) {
          return Future.failedFuture(ParleyException.invalid("name", "'name' must be a non-empty string"));
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        row.put("name", name(n, "text"));
        row.put("mime", Extractors.mimeOf("md"));
        row.put("size_bytes", bytes.length);
        content = Future.succeededFuture(bytes);
        break;
      }
      case "url": {
        Object url = body.getValue("url");
        if (!(url instanceof String u) || u.length() > 2000) {
          return Future.failedFuture(ParleyException.invalid("url", "'url' must be an http or https URL"));
        }
        java.net.URI uri;
        try {
          uri = UrlFetcher.parse(u);
        } catch (ParleyException invalid) {
          return Future.failedFuture(invalid);
        }
        row.put("url", uri.toString());
        row.put("name", name(body.getString("name"), uri.getHost() + (uri.getRawPath() == null ? "" : uri.getRawPath())));
        row.put("mime", null);
        row.put("size_bytes", null);
        content = fetcher.check(uri).map(address -> (byte[]) null);
        break;
      }
      default:
        return Future.failedFuture(ParleyException.invalid("source", "'source' must be file, text or url"));
    }
    row.put("source", source);
    if (row.get("size_bytes") != null && ((Number) row.get("size_bytes")).longValue() > maxBytes) {
      return Future.failedFuture(new ParleyException(ErrorCodes.PAYLOAD_TOO_LARGE, "payload_too_large",
          "The document is larger than the limit of " + maxBytes + " bytes"));
    }
    long size = row.get("size_bytes") == null ? 0 : ((Number) row.get("size_bytes")).longValue();
    return store.usage(botId).compose(usage -> quotas.check(usage[0], usage[1], size)).compose(ok -> content)
        .compose(bytes -> bytes == null ? Future.succeededFuture() : saveFile(botId, id, bytes))
        .compose(saved -> store.insert(row))
        .onSuccess(doc -> enqueue(id));
  }

  Future<JsonArray> list(String botId) {
    return store.list(botId);
  }

  Future<JsonObject> get(String botId, String id) {
    return store.get(botId, id);
  }

  Future<Void> delete(String botId, String id) {
    return store.get(botId, id)
        .compose(doc -> store.children(id))
        .compose(children -> {
          List<Future<Void>> pages = new ArrayList<>();
          for (Object child : children) {
            pages.add(delete(botId, ((JsonObject) child).getString("id")));
          }
          return Future.all(pages);
        })
        .compose(pages -> {
          if (queued.contains(id)) {
            cancelled.add(id);
          }
          return store.delete(id);
        })
        .compose(deleted -> vectors.deleteDocument(id))
        .compose(v -> blocking(() -> {
          java.nio.file.Files.deleteIfExists(file(botId, id));
          return null;
        }))
        .mapEmpty();
  }

  Future<JsonObject> retry(String botId, String id) {
    return store.get(botId, id).compose(doc -> {
      if (!"failed".equals(doc.getString("status"))) {
        return Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT, "not_failed",
            "Only a failed document can be retried; this one is " + doc.getString("status")));
      }
      return store.reset(id).compose(v -> store.get(botId, id)).onSuccess(reset -> enqueue(id));
    });
  }

  /**
   * Checks a URL or sitemap document's source again now: a page is re-embedded only if its content
   * hash changed; a sitemap gains its new pages, loses the ones no longer listed and syncs the rest.
   * 409 for a document that did not come from a URL.
   */
  Future<JsonObject> sync(String botId, String id) {
    return store.get(botId, id).compose(doc -> {
      String source = doc.getString("source");
      if (!"url".equals(source) && !"sitemap".equals(source)) {
        return Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT, "not_syncable",
            "Only a document added from a URL or a sitemap can be synced; this one is a " + source));
      }
      enqueue(id);
      return Future.succeededFuture(doc);
    });
  }

  /**
   * Syncs the URL and sitemap documents whose bot's {@code rag.sync_interval_hours} has passed since
   * they were last checked. {@code settings} gives a bot's settings (a failure skips the bot this time).
   */
  Future<Integer> syncDue(java.util.function.Function<String, Future<JsonObject>> settings) {
    return store.syncable().compose(docs -> {
      Map<String, List<JsonObject>> byBot = new java.util.LinkedHashMap<>();
      for (Object doc : docs) {
        JsonObject d = (JsonObject) doc;
        byBot.computeIfAbsent(d.getString(Fields.BOT_ID), b -> new ArrayList<>()).add(d);
      }
      List<Future<Integer>> perBot = new ArrayList<>();
      long now = System.currentTimeMillis();
      byBot.forEach((botId, botDocs) -> perBot.add(settings.apply(botId).map(bot -> {
        Object hours = bot.getJsonObject("rag", new JsonObject()).getValue("sync_interval_hours");
        if (!(hours instanceof Number h) || h.doubleValue() <= 0) {
          return 0;
        }
        int due = 0;
        for (JsonObject d : botDocs) {
          Long last = d.getLong("synced_at") != null ? d.getLong("synced_at") : d.getLong("updated_at");
          if (now - last >= h.doubleValue() * 3_600_000) {
            enqueue(d.getString("id"));
            due++;
          }
        }
        return due;
      }).recover(unknown -> Future.succeededFuture(0))));
      return Future.all(perBot).map(all -> {
        int total = 0;
        for (int i = 0; i < all.size(); i++) {
          total += all.<Integer>resultAt(i);
        }
        if (total > 0) {
          LOG.info("Scheduled sync of {} URL documents", total);
        }
        return total;
      });
    });
  }

  /** Forgets a deleted bot: its SQL rows went with it (cascade); this removes its vectors and files. */
  Future<Void> deleteBot(String botId) {
    deletedBots.add(botId);
    return vectors.deleteBot(botId).compose(v -> this.<Void>blocking(() -> {
      Path dir = filesDir.resolve(botId);
      if (java.nio.file.Files.isDirectory(dir)) {
        try (var files = java.nio.file.Files.walk(dir)) {
          for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            java.nio.file.Files.deleteIfExists(p);
          }
        }
      }
      return null;
    })).onSuccess(v -> LOG.info("Removed the knowledge base of deleted bot {}", botId));
  }

  // ---- search

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
    return store.models(botId).compose(models -> {
      if (models.isEmpty()) {
        return Future.succeededFuture(List.<KnowledgeIndex.Hit>of());
      }
      if (mode == KnowledgeIndex.Mode.BM25) {
        return vectors.search(botId, embedders.configured().model(), q, null, topK.intValue(), minScore.doubleValue(),
            mode);
      }
      List<Future<List<KnowledgeIndex.Hit>>> searches = new ArrayList<>();
      models.forEach((model, documents) -> {
        Embedder embedder = embedders.forModel(model);
        if (embedder != null) {
          searches.add(embedder.embedQuery(SearchQuery.embedded(q)).compose(v -> vectors.search(botId, model, q, v, topK.intValue(),
              minScore.doubleValue(), mode)));
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
        return merge(lists, topK.intValue());
      });
    }).map(hits -> {
      JsonArray results = new JsonArray();
      for (KnowledgeIndex.Hit hit : hits) {
        results.add(new JsonObject()
            .put(Fields.DOCUMENT_ID, hit.documentId())
            .put("document_name", hit.documentName())
            .put("heading", hit.heading())
            .put("snippet", snippet(hit.content()))
            .put(Fields.TEXT, hit.content())
            .put("position", hit.position())
            .put("score", Math.round(hit.score() * 10_000) / 10_000.0));
      }
      return new JsonObject().put(Fields.RESULTS, results);
    });
  }

  /**
   * Adds to each search result the {@code url} of its document (the page a URL or sitemap document
   * came from; null for files and texts), so answers can link their sources.
   */
  Future<JsonObject> withUrls(JsonObject found) {
    JsonArray results = found.getJsonArray(Fields.RESULTS, new JsonArray());
    List<String> ids = new ArrayList<>();
    for (Object result : results) {
      String id = ((JsonObject) result).getString(Fields.DOCUMENT_ID);
      if (id != null && !ids.contains(id)) {
        ids.add(id);
      }
    }
    List<Future<JsonObject>> documents = ids.stream().map(store::find).toList();
    return Future.all(documents).map(all -> {
      Map<String, String> urls = new HashMap<>();
      for (Future<JsonObject> document : documents) {
        if (document.result() != null && document.result().getString("url") != null) {
          urls.put(document.result().getString("id"), document.result().getString("url"));
        }
      }
      for (Object result : results) {
        JsonObject r = (JsonObject) result;
        r.put("url", urls.get(r.getString(Fields.DOCUMENT_ID)));
      }
      return found;
    });
  }

  /**
   * The hits of searches over the vectors of different models (a bot part-way through a re-index), as
   * one ranking: a chunk found by several keeps its best similarity and best fused rank.
   */
  static List<KnowledgeIndex.Hit> merge(List<List<KnowledgeIndex.Hit>> lists, int topK) {
    if (lists.size() == 1) {
      return lists.get(0);
    }
    Map<String, KnowledgeIndex.Hit> best = new java.util.LinkedHashMap<>();
    for (List<KnowledgeIndex.Hit> hits : lists) {
      for (KnowledgeIndex.Hit h : hits) {
        best.merge(h.documentId() + ":" + h.position(), h, (a, b) -> new KnowledgeIndex.Hit(a.documentId(),
            a.documentName(), a.heading(), a.content(), a.position(), Math.max(a.score(), b.score()),
            Math.max(a.fused(), b.fused())));
      }
    }
    return best.values().stream()
        .sorted(java.util.Comparator.comparingDouble((KnowledgeIndex.Hit h) -> -h.fused())
            .thenComparingDouble(h -> -h.score()))
        .limit(topK)
        .toList();
  }

  // ---- re-index

  /**
   * The bot's index: {@code {embedding_model (the configured one), indexed_models (those its documents'
   * vectors were built with), reindex_needed (one of them is not the configured model), reindex_documents
   * (how many documents are on another model)}}.
   */
  Future<JsonObject> status(String botId) {
    String model = embedders.configured().model();
    return store.models(botId).map(models -> {
      int others = 0;
      for (Map.Entry<String, Integer> e : models.entrySet()) {
        others += e.getKey().equals(model) ? 0 : e.getValue();
      }
      return new JsonObject()
          .put("embedding_model", model)
          .put("indexed_models", new JsonArray(new ArrayList<>(models.keySet())))
          .put("reindex_needed", others > 0)
          .put("reindex_documents", others);
    });
  }

  /**
   * Queues the bot's documents whose vectors were built with another model than the configured one
   * ({@code all}: every document that has vectors, as after switching the vector store) to be
   * re-embedded from their stored chunks. Each goes pending → processing → ready (or failed, keeping
   * its old vectors) as usual. Answers {@link #status} with {@code queued}, how many were queued.
   */
  Future<JsonObject> reindex(String botId, boolean all) {
    String model = embedders.configured().model();
    return store.list(botId).compose(docs -> {
      List<Future<Void>> queuedNow = new ArrayList<>();
      for (Object o : docs) {
        JsonObject doc = (JsonObject) o;
        String id = doc.getString("id");
        String built = doc.getString("embedding_model");
        String state = doc.getString("status");
        if (built == null || queued.contains(id) || (!all && built.equals(model))
            || !("ready".equals(state) || "failed".equals(state))) {
          continue;
        }
        queuedNow.add(store.reset(id).map(reset -> {
          reindexing.add(id);
          enqueue(id);
          return null;
        }));
      }
      if (!queuedNow.isEmpty()) {
        LOG.info("Re-indexing {} documents of bot {} with {}", queuedNow.size(), botId, model);
      }
      return Future.all(new ArrayList<>(queuedNow)).compose(v -> status(botId))
          .map(status -> status.put("queued", queuedNow.size()));
    });
  }

  static String snippet(String text) {
    String flat = text.replaceAll("\\s+", " ").strip();
    if (flat.length() <= SNIPPET_CHARS) {
      return flat;
    }
    int cut = flat.lastIndexOf(' ', SNIPPET_CHARS);
    return (cut > SNIPPET_CHARS / 2 ? flat.substring(0, cut) : UnicodeText.prefix(flat, SNIPPET_CHARS)) + "…";
  }

  // ---- ingestion

  private void enqueue(String id) {
    cancelled.remove(id);
    if (queued.add(id)) {
      queue.add(id);
      drain();
    }
  }

  private void drain() {
    while (running < concurrency && !queue.isEmpty()) {
      String id = queue.poll();
      running++;
      process(id).onComplete(done -> {
        running--;
        queued.remove(id);
        cancelled.remove(id);
        if (done.failed()) {
          LOG.error("Ingestion of document {} ended unexpectedly", id, done.cause());
        }
        drain();
      });
    }
  }

  private record Extraction(String name, String mime, long size, String hash, List<Chunker.Chunk> chunks) {
  }

  private Future<Void> process(String id) {
    boolean reembed = reindexing.remove(id);
    return store.find(id).compose(doc -> {
      if (doc == null) {
        return Future.<Void>succeededFuture();
      }
      long started = System.currentTimeMillis();
      if (reembed) {
        return reembed(doc, started);
      }
      // a ready URL document being synced stays ready (and searchable) unless its content changed
      boolean refresh = "ready".equals(doc.getString("status")) && doc.getString("url") != null;
      Future<Void> begin = refresh ? Future.succeededFuture()
          : store.status(id, "processing", null).onSuccess(v -> published(doc, "processing", null));
      return begin
          .compose(v -> content(doc))
          .compose(page -> page.url() == null ? ingest(doc, page, refresh, started)
              : blocking(() -> java.util.Optional.ofNullable(Sitemaps.parse(page))).compose(sitemap -> sitemap.isPresent()
                  ? sitemap(doc, page, sitemap.get())
                  : ingest(doc, page, refresh, started)))
          .recover(failure -> failed(doc, failure));
    });
  }

  private Future<Void> ingest(JsonObject doc, UrlFetcher.Page page, boolean refresh, long started) {
    String id = doc.getString("id");
    String botId = doc.getString(Fields.BOT_ID);
    Embedder embedder = embedders.configured();
    return blocking(() -> extract(doc, page))
          .compose(extraction -> {
            checkCancelled(id, botId);
            if (refresh && extraction.hash().equals(doc.getString("content_hash"))
                && embedder.model().equals(doc.getString("embedding_model"))) {
              LOG.debug("Document {} of bot {} unchanged at its source", id, botId);
              return store.synced(id).map(v -> -1);
            }
            Map<String, Object> extracted = new HashMap<>();
            extracted.put("name", extraction.name());
            extracted.put("mime", extraction.mime());
            extracted.put("size_bytes", extraction.size());
            extracted.put("content_hash", extraction.hash());
            return (refresh ? store.status(id, "processing", null).onSuccess(v -> published(doc, "processing", null))
                : Future.<Void>succeededFuture())
                .compose(v -> store.saveChunks(id, botId, extracted, extraction.chunks()))
                .compose(v -> embed(id, embedder, extraction.chunks(), 0, new ArrayList<>()))
                .compose(entries -> {
                  checkCancelled(id, botId);
                  return vectors.replaceDocument(botId, id, extraction.name(), embedder.model(), entries);
                })
                .map(v -> extraction.chunks().size());
          })
          .compose(chunks -> {
            if (cancelled.contains(id) || deletedBots.contains(botId)) {
              return vectors.deleteDocument(id);
            }
            if (chunks < 0) {
              return Future.<Void>succeededFuture();
            }
            LOG.info("Document {} of bot {} ready: {} chunks embedded with {} in {} ms", id, botId, chunks,
                embedder.model(), System.currentTimeMillis() - started);
            return store.ready(id, embedder.model())
                .compose(v -> doc.getString("url") == null ? Future.<Void>succeededFuture() : store.synced(id))
                .onSuccess(v -> published(doc, "ready", null));
          });
  }

  /**
   * A URL that turned out to be a sitemap: each listed page (through one level of sitemap index,
   * at most {@code max_sitemap_pages}) becomes a child document, fetched and checked like any URL;
   * pages no longer listed are removed, the others synced (re-embedded only if they changed).
   */
  private Future<Void> sitemap(JsonObject doc, UrlFetcher.Page page, Sitemaps.Listing listing) {
    String id = doc.getString("id");
    String botId = doc.getString(Fields.BOT_ID);
    if (doc.getString("parent_id") != null) {
      return Future.failedFuture(new IngestionFailure("This page of a sitemap is itself a sitemap; Parley reads "
          + "one level of sitemap index"));
    }
    return Sitemaps.pages(fetcher, ingestWorkers, page, listing, maxSitemapPages, maxSitemapFiles).compose(urls -> {
      if (urls.isEmpty()) {
        return Future.failedFuture(new IngestionFailure("The sitemap lists no pages"));
      }
      return store.children(id).compose(children -> {
        List<Future<?>> steps = new ArrayList<>();
        Set<String> known = new HashSet<>();
        for (Object c : children) {
          JsonObject child = (JsonObject) c;
          if (urls.contains(child.getString("url"))) {
            known.add(child.getString("url"));
            enqueue(child.getString("id"));
          } else {
            steps.add(delete(botId, child.getString("id")));
          }
        }
        long now = System.currentTimeMillis();
        for (String url : urls) {
          if (known.contains(url)) {
            continue;
          }
          String pageId = Ids.prefixed("doc");
          java.net.URI uri = java.net.URI.create(url);
          Map<String, Object> row = pendingRow(pageId, botId, now);
          row.put("name", name(null, uri.getHost() + (uri.getRawPath() == null ? "" : uri.getRawPath())));
          row.put("source", "url");
          row.put("url", url);
          row.put("mime", null);
          row.put("size_bytes", null);
          row.put("parent_id", id);
          steps.add(store.insert(row).onSuccess(added -> enqueue(pageId)));
        }
        return Future.all(new ArrayList<>(steps));
      }).compose(v -> store.sitemap(id, page.body().length,
          Hashes.sha256Hex(page.body())))
          .onSuccess(v -> {
            LOG.info("Sitemap {} of bot {}: {} pages", id, botId, urls.size());
            published(doc, "ready", null);
          });
    });
  }

  /**
   * Re-embeds a document from its stored chunks with the configured model and swaps its vectors in
   * one write, which drops the ones of the model it was built with. If embedding fails, nothing was
   * written: the old vectors stay and are still searched, and the document is marked failed with the
   * reason, keeping its model (another re-index tries it again). If the write fails, the document
   * fails as any ingestion does, with its vectors removed everywhere.
   */
  private Future<Void> reembed(JsonObject doc, long started) {
    String id = doc.getString("id");
    String botId = doc.getString(Fields.BOT_ID);
    String before = doc.getString("embedding_model");
    Embedder embedder = embedders.configured();
    Future<List<KnowledgeIndex.Entry>> embedded = store.status(id, "processing", null)
        .onSuccess(v -> published(doc, "processing", null))
        .compose(v -> store.chunks(id))
        .compose(chunks -> chunks.isEmpty()
            ? Future.failedFuture(new IngestionFailure("The document has no stored passages; retry it to read it again"))
            : embed(id, embedder, chunks, 0, new ArrayList<>()));
    return embedded.transform(result -> {
      if (result.failed()) {
        return before == null ? failed(doc, result.cause()) : reindexFailed(doc, before, embedder.model(), result.cause());
      }
      return Future.<Void>succeededFuture()
          .compose(v -> {
            checkCancelled(id, botId);
            return vectors.replaceDocument(botId, id, doc.getString("name"), embedder.model(), result.result());
          })
          .compose(v -> {
            if (cancelled.contains(id) || deletedBots.contains(botId)) {
              return vectors.deleteDocument(id);
            }
            LOG.info("Document {} of bot {} re-indexed: {} chunks embedded with {} (was {}) in {} ms", id, botId,
                result.result().size(), embedder.model(), before, System.currentTimeMillis() - started);
            return store.ready(id, embedder.model()).onSuccess(ready -> published(doc, "ready", null));
          })
          .recover(failure -> failed(doc, failure));
    });
  }

  /** A re-index whose embedding failed: the document keeps its old vectors and model, and says why it failed. */
  private Future<Void> reindexFailed(JsonObject doc, String before, String model, Throwable failure) {
    String id = doc.getString("id");
    if (failure instanceof Cancelled || cancelled.contains(id) || deletedBots.contains(doc.getString(Fields.BOT_ID))) {
      return failed(doc, failure);
    }
    String why = reason(id, failure);
    String reason = "Re-indexing with " + model + " failed: " + why + (why.endsWith(".") ? "" : ".")
        + " The document is still searched with " + before + ".";
    LOG.info("Document {} of bot {}: {}", id, doc.getString(Fields.BOT_ID), reason);
    return store.status(id, "failed", reason).onSuccess(v -> published(doc, "failed", reason));
  }

  private static String reason(String id, Throwable failure) {
    if (failure instanceof IngestionFailure || failure instanceof ParleyException) {
      return failure.getMessage();
    }
    LOG.error("Ingestion of document {} failed", id, failure);
    return "Processing failed because of an internal error; try again";
  }

  private Future<Void> failed(JsonObject doc, Throwable failure) {
    String id = doc.getString("id");
    if (failure instanceof Cancelled || cancelled.contains(id) || deletedBots.contains(doc.getString(Fields.BOT_ID))) {
      return vectors.deleteDocument(id);
    }
    String reason = reason(id, failure);
    LOG.info("Document {} of bot {} failed: {}", id, doc.getString(Fields.BOT_ID), reason);
    return vectors.deleteDocument(id)
        .recover(stillThere -> Future.succeededFuture())
        .compose(v -> store.failed(id, reason)).onSuccess(v -> published(doc, "failed", reason));
  }

  private void published(JsonObject doc, String status, String error) {
    vertx.eventBus().publish(dev.parley.common.Addresses.EVENTS_DOCUMENT_CHANGED, new JsonObject()
        .put(Fields.BOT_ID, doc.getString(Fields.BOT_ID)).put(Fields.DOCUMENT_ID, doc.getString("id"))
        .put(Fields.STATUS, status).put(Fields.ERROR, error));
  }

  /** The document's bytes and their declared type: the stored file, or the page fetched again. */
  private Future<UrlFetcher.Page> content(JsonObject doc) {
    String id = doc.getString("id");
    if (doc.getString("url") != null) {
      return fetcher.fetch(doc.getString("url"));
    }
    return vertx.fileSystem().readFile(file(doc.getString(Fields.BOT_ID), id).toString())
        .map(buffer -> new UrlFetcher.Page(null, doc.getString("mime"), buffer.getBytes()))
        .recover(missing -> Future.failedFuture(new IngestionFailure("The uploaded file is missing; upload it again")));
  }

  private Extraction extract(JsonObject doc, UrlFetcher.Page page) {
    String type;
    String name = doc.getString("name");
    if (page.url() != null) {
      java.net.URI uri = java.net.URI.create(page.url());
      type = Extractors.typeOf(null, page.contentType());
      if (type == null) {
        type = Extractors.typeOf(uri.getPath(), null);
      }
      if (type == null) {
        throw new IngestionFailure("The URL's content type (" + page.contentType() + ") is not one Parley reads");
      }
      if (page.body().length > maxBytes) {
        throw new IngestionFailure("The page is larger than the limit of " + maxBytes + " bytes");
      }
    } else {
      type = Extractors.typeOfMime(doc.getString("mime"));
    }
    List<Block> blocks = Extractors.extract(page.body(), type);
    if (page.url() != null && "html".equals(type)) {
      String title = org.jsoup.Jsoup.parse(new String(page.body(), StandardCharsets.UTF_8)).title();
      if (!title.isBlank() && doc.getString("name").equals(defaultUrlName(doc.getString("url")))) {
        name = name(title, name);
      }
    }
    List<Chunker.Chunk> chunks = chunker.chunk(blocks);
    if (chunks.isEmpty()) {
      throw new IngestionFailure("The document contains no text");
    }
    String hash = Hashes.sha256Hex(page.body());
    return new Extraction(name, Extractors.mimeOf(type), page.body().length, hash, chunks);
  }

  private static String defaultUrlName(String url) {
    java.net.URI uri = java.net.URI.create(url);
    return name(null, uri.getHost() + (uri.getRawPath() == null ? "" : uri.getRawPath()));
  }

  private Future<List<KnowledgeIndex.Entry>> embed(String id, Embedder embedder, List<Chunker.Chunk> chunks, int from,
      List<KnowledgeIndex.Entry> entries) {
    if (from >= chunks.size()) {
      return Future.succeededFuture(entries);
    }
    if (cancelled.contains(id)) {
      return Future.failedFuture(new Cancelled());
    }
    List<Chunker.Chunk> batch = chunks.subList(from, Math.min(chunks.size(), from + embedder.batch()));
    return embedder.embed(batch.stream().map(Chunker.Chunk::indexedText).toList())
        .compose(vectors -> {
          for (int i = 0; i < batch.size(); i++) {
            Chunker.Chunk c = batch.get(i);
            entries.add(new KnowledgeIndex.Entry(id + ":" + c.position(), c.position(), c.heading(), c.text(),
                vectors.get(i)));
          }
          return store.progress(id, entries.size());
        })
        .compose(v -> embed(id, embedder, chunks, from + batch.size(), entries));
  }

  private void checkCancelled(String id, String botId) {
    if (cancelled.contains(id) || deletedBots.contains(botId)) {
      throw new Cancelled();
    }
  }

  private Future<Void> saveFile(String botId, String id, byte[] bytes) {
    Path path = file(botId, id);
    return blocking(() -> {
      DataFolder.createPrivateFolder(path.getParent());
      return null;
    }).compose(v -> vertx.fileSystem().writeFile(path.toString(), io.vertx.core.buffer.Buffer.buffer(bytes)))
        .compose(v -> blocking(() -> {
          DataFolder.restrict(path);
          return null;
        }));
  }

  private Path file(String botId, String id) {
    return filesDir.resolve(botId).resolve(id);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return ingestWorkers.executeBlocking(work, false);
  }

  static String name(String value, String fallback) {
    String name = value == null || value.isBlank() ? fallback : value.strip();
    name = name.replaceAll("[\\p{Cntrl}]", " ").replaceAll("[\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]", "");
    return UnicodeText.prefix(name, 200);
  }

  /** The document was deleted while it was being processed. */
  private static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("cancelled", null, false, false);
    }
  }
}
