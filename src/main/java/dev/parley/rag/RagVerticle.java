package dev.parley.rag;

import dev.parley.common.Addresses;
import dev.parley.common.BotClient;
import dev.parley.common.Bus;
import dev.parley.common.BusHandlers;
import dev.parley.common.Timeouts;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.LocalKnowledge;
import dev.parley.db.Database;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the bots' knowledge bases: documents and chunks in SQL, vectors and text in the
 * embedded Lucene index under {@code data_dir/index}, original files under
 * {@code data_dir/documents}.
 *
 * <table>
 *   <caption>Addresses consumed</caption>
 *   <tr><td>{@code parley.rag.search}</td><td>{@code {bot_id, query (up to 100,000 characters; SearchQuery),
 *   top_k (1–50, 4), min_score (0), mode?:
 *   hybrid|vector|bm25}}</td><td>{@code {results:[{document_id, document_name, url, heading, snippet, text,
 *   position, score, similarity}], nothing_found}} ({@link dev.parley.common.Passage}), best first; {@code url} is
 *   the page a URL or sitemap document came from, else null; {@code score} is the relevance ({@link Relevance}; the
 *   cosine in the vector and bm25 modes), {@code similarity} the cosine; {@code nothing_found}: the bot has
 *   documents but none reaches {@code min_score} (the search abstained). 422 on invalid fields; 502, 503 or 504 {@code embeddings_…} when an
 *   embeddings API cannot embed the query. A chat turn's search adds {@code answers: {threshold, direct}} and gets
 *   {@code answer_match} too: the stored answers matched in the same request ({@link TurnSearch}).</td></tr>
 *   <tr><td>{@code parley.rag.document.add}</td><td>{@code {bot_id, source:"file", name, mime?, content (bytes,
 *   base64 in JSON)}}, {@code {bot_id, source:"text", name, text}} or {@code {bot_id, source:"url", url, name?}}
 *   </td><td>the document, status {@code pending}; ingestion continues in the background. 415 unsupported
 *   type or content, 413 larger than {@code max_document_bytes}, 409/413 {@code quota_exceeded}, 422 invalid
 *   field, {@code unsupported_scheme} or {@code url_not_allowed}. With {@code {bot_id, source:"files", files:[{name,
 *   mime?, content}]}} (up to 100): {@code {documents:[…]}}, all added or none; a refused file refuses them all with
 *   its name in the message, 413 {@code too_many_files} ({@link DocumentIntake#addFiles}).</td></tr>
 *   <tr><td>{@code parley.rag.document.list}</td><td>{@code {bot_id, status?, q?, updated_since?, limit?,
 *   order?, cursor?}} ({@link DocumentQuery})</td><td>{@code {documents:[…] (oldest first unless newest),
 *   next_cursor, counts, as_of}}, with {@code updated_since} also {@code deleted} (ids, or null when that is further
 *   back than deletions are kept), and the fields of {@code parley.rag.index.status}; 400 {@code invalid_parameter} naming the filter, {@code invalid_cursor}
 *   </td></tr>
 *   <tr><td>{@code parley.rag.document.get}</td><td>{@code {bot_id, document_id}}</td><td>the document; 404</td></tr>
 *   <tr><td>{@code parley.rag.document.delete}</td><td>{@code {bot_id, document_id}}</td><td>{} once its vectors
 *   are gone; 404</td></tr>
 *   <tr><td>{@code parley.rag.document.retry}</td><td>{@code {bot_id, document_id}}</td><td>the document, pending
 *   again; 404, 409 unless it failed</td></tr>
 *   <tr><td>{@code parley.rag.document.sync}</td><td>{@code {bot_id, document_id}}</td><td>the document; its URL
 *   (page or sitemap) is checked again in the background and only changed pages are re-embedded; 404, 409
 *   {@code not_syncable} unless it came from a URL</td></tr>
 *   <tr><td>{@code parley.rag.index.status}</td><td>{@code {bot_id}}</td><td>{@code {embedding_model (the configured
 *   one), indexed_models (those the bot's documents' vectors were built with), reindex_needed, reindex_documents}}
 *   </td></tr>
 *   <tr><td>{@code parley.rag.answer.list|get|create|update|delete|import|export|match}</td><td>a bot's stored
 *   answers ({@link StoredAnswers}; the bodies are in {@link dev.parley.common.Addresses})</td><td>the answer(s);
 *   404, 409 {@code quota_exceeded}, 413, 422 naming the field</td></tr>
 *   <tr><td>{@code parley.rag.reindex}</td><td>{@code {bot_id, all?}}</td><td>the index status and {@code queued}:
 *   the documents built with another model (all of them with {@code all}) are re-embedded from their stored chunks
 *   with the configured model in the background</td></tr>
 *   <tr><td>{@code parley.rag.group}</td><td>{@code {texts: [up to 1,000 strings], threshold? (0–1, 0.7)}}</td><td>
 *   {@code {model, groups: [[index, …], …]}}: the texts grouped by meaning with the configured embedding model
 *   ({@link Grouping}); 422 on invalid fields, the embeddings API's failures as for a search</td></tr>
 * </table>
 *
 * <p>A document is {@code {id, bot_id, name, source, url, mime, size_bytes, status: pending|processing|ready|failed,
 * error, chunks_total, chunks_done, progress, content_hash, embedding_model, created_at, updated_at}}, where
 * {@code embedding_model} names the model of the document's vectors in the index (null while it has none).
 * Listens to {@code parley.events.bot.changed} (action {@code deleted}) to drop a bot's vectors and files, and to
 * {@code parley.events.document.changed} (status ready or failed, from any node) to read the bots' embedding models
 * again ({@link SearchLookups}); publishes {@code parley.events.document.changed}
 * {@code {bot_id, document_id, status, error}} when a document becomes ready or fails. The bot's existence is the caller's check (the HTTP layer asks the bot component).
 *
 * <p>Config: {@code chunk_size} (800 characters), {@code chunk_overlap} (150), {@code embed_batch} (16),
 * {@code ingest_concurrency} (8 documents read at once; the documents read wait for the model with up to four batches of chunks, {@link IngestionQueue}, and share its calls, {@link EmbeddingBatcher}), {@code commit_interval_ms} (100: the
 * least time between two commits of the embedded index, each holding the documents indexed meanwhile), {@code search_threads} (2: searches served at once, each on its own worker thread, {@link SearchVerticle}), {@code max_document_bytes}
 * (20 MiB), {@code allow_private_urls} (false), {@code fetch_timeout_ms} (20000), {@code fetch_idle_timeout_ms}
 * (10000), {@code allowed_url_ports} ([80, 443, 8080, 8443]; see {@link UrlFetcher}), {@code preload_model} (auto: at start when
 * the node has knowledge, else on first use; see {@link ModelPreload}),
 * {@code max_sitemap_pages} (200), {@code max_sitemap_files} (50), {@code max_documents_per_bot} (10000),
 * {@code max_bytes_per_bot} (1 GiB), {@code sync_check_ms} (300000: how often bots' {@code rag.sync_interval_hours}
 * are checked; the bot settings come from {@code parley.bot.get}), {@code store} ({@code lucene} or {@code qdrant})
 * and {@code qdrant: {host, port, api_key, tls, timeout_ms}}, {@code embeddings: {provider: local|openai, model,
 * base_url, api_key, batch, dimensions, timeout_ms, query_timeout_ms, max_retries, …}} (see {@link Embedders}),
 * {@code answers: {max_per_bot (1000), max_csv_bytes (1 MiB)}}.
 * Run one instance per process: the index has a single writer (further instances share it).
 *
 * <p>The verticle wires; {@link KnowledgeBase} is a facade over three parts: {@link DocumentIntake} (sources,
 * checks, quotas, stored files), {@link IngestionQueue} (parse, chunk, embed and index each document, sitemap
 * re-syncs, re-index) and {@link Retrieval} (search, fusion of the rankings, snippets, page URLs). Passages are
 * read and written through {@link dev.parley.common.Passage}.
 */
public class RagVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RagVerticle.class);
  /** The worker pool of searches: the query embeddings, the index searches and the {@link SearchVerticle}s. */
  private static final String SEARCH_POOL = "parley-rag-search";

  private Database database;
  private DocumentStore documents;
  private VectorStore vectors;
  private WorkerExecutor ingestWorkers;
  private WorkerExecutor searchWorkers;
  private UrlFetcher fetcher;
  private Embedders embedders;
  private KnowledgeBase knowledge;
  private StoredAnswers answers;
  private long syncTimer = -1;

  @Override
  public Future<?> start() {
    JsonObject config = config();
    Path dataDir = Path.of(config.getString("data_dir", "./data")).toAbsolutePath().normalize();
    KnowledgeSettings settings = KnowledgeSettings.from(config, dataDir);
    // reading, extraction, embedding calls and index writes: no more threads than cores help, two more for I/O
    int ingestThreads = Math.min(settings.concurrency(), Math.max(2, Runtime.getRuntime().availableProcessors())) + 2;
    ingestWorkers = vertx.createSharedWorkerExecutor("parley-rag-ingest", ingestThreads, 10, TimeUnit.MINUTES);
    searchWorkers = vertx.createSharedWorkerExecutor(SEARCH_POOL, config.getInteger("search_threads", 2));
    fetcher = UrlFetcher.create(vertx, config);
    ModelPreload preload;
    try {
      embedders = Embedders.create(vertx, ingestWorkers, searchWorkers, settings.modelCache(), config);
      preload = ModelPreload.from(config.getValue("preload_model"));
    } catch (IllegalArgumentException | ClassCastException bad) {
      return Future.failedFuture(new IllegalArgumentException(bad.getMessage()));
    }
    LOG.info("Knowledge embeddings: {}", embedders.describe());
    String storeType = config.getString("store", "lucene");
    if (!"lucene".equals(storeType) && !"qdrant".equals(storeType)) {
      return Future.failedFuture(new IllegalArgumentException("rag.store must be lucene or qdrant, not " + storeType));
    }
    return Future.all(
            Database.open(vertx, config.getJsonObject("database"), config.getString("data_dir", "./data")),
            openStore(storeType, dataDir, config))
        .compose(ready -> {
          database = ready.resultAt(0);
          vectors = ready.resultAt(1);
          LocalKnowledge local = LocalKnowledge.of(vertx);
          documents = new DocumentStore(database, local::changed);
          DocumentStore store = documents;
          knowledge = knowledgeBase(store, settings);
          answers = new StoredAnswers(new AnswerStore(database), embedders,
              config.getJsonObject("answers", new JsonObject()), bot -> vertx.eventBus()
                  .publish(Addresses.EVENTS_ANSWERS_CHANGED, new JsonObject().put(Fields.BOT_ID, bot)), local::changed);
          return Future.all(List.of(
              consume(Addresses.RAG_HEALTH, body -> database.pool().query("SELECT 1").execute()
                  .compose(rows -> vectors instanceof QdrantStore qdrant ? qdrant.check() : Future.succeededFuture())
                  .map(rows -> new JsonObject().put("status", "UP").put("index", vectors.describe()))),
              searches(new TurnSearch(knowledge, answers, local), config.getInteger("search_threads", 2)),
              consume(Addresses.RAG_DOCUMENT_ADD, body -> !"files".equals(body.getString("source"))
                  ? knowledge.add(withBot(body))
                  : knowledge.addFiles(botId(body), body.getValue("files") instanceof JsonArray files ? files : null)
                      .map(docs -> new JsonObject().put(Fields.DOCUMENTS, docs))),
              // the list is built for this reply and kept nowhere: handed over, not copied (10,000 documents)
              BusHandlers.registerHandingOver(vertx, Addresses.RAG_DOCUMENT_LIST,
                  body -> knowledge.list(botId(body), DocumentQuery.from(body))),
              consume(Addresses.RAG_DOCUMENT_GET, body -> knowledge.get(botId(body), documentId(body))),
              consume(Addresses.RAG_DOCUMENT_DELETE, body -> knowledge.delete(botId(body), documentId(body))
                  .map(v -> new JsonObject())),
              consume(Addresses.RAG_DOCUMENT_RETRY, body -> knowledge.retry(botId(body), documentId(body))),
              consume(Addresses.RAG_DOCUMENT_SYNC, body -> knowledge.sync(botId(body), documentId(body))),
              consume(Addresses.RAG_INDEX_STATUS, body -> knowledge.status(botId(body))),
              consume(Addresses.RAG_REINDEX, body -> knowledge.reindex(botId(body), body.getBoolean("all", false))),
              consume(Addresses.RAG_ANSWER_LIST, body -> answers.list(botId(body))),
              consume(Addresses.RAG_ANSWER_GET, body -> answers.get(botId(body), answerId(body))),
              consume(Addresses.RAG_ANSWER_CREATE, body -> answers.create(botId(body), answerBody(body))),
              consume(Addresses.RAG_ANSWER_UPDATE, body -> answers.update(botId(body), answerId(body), answerBody(body))),
              consume(Addresses.RAG_ANSWER_DELETE, body -> answers.delete(botId(body), answerId(body))
                  .map(v -> new JsonObject())),
              consume(Addresses.RAG_ANSWER_IMPORT, body -> answers.importCsv(botId(body), body.getString(Fields.CSV, ""))),
              consume(Addresses.RAG_ANSWER_EXPORT, body -> answers.exportCsv(botId(body))
                  .map(csv -> new JsonObject().put(Fields.CSV, csv))),
              consume(Addresses.RAG_ANSWER_MATCH, body -> answers.match(botId(body), body.getString(Fields.QUERY),
                  body.getDouble(Fields.THRESHOLD, 1.0))),
              consume(Addresses.RAG_GROUP, new Grouping(vertx, embedders)::group),
              // a document ready or failed on any node: the bots' embedding models are read again by the next search
              vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_DOCUMENT_CHANGED, event -> {
                if (!"processing".equals(event.body().getString(Fields.STATUS))) {
                  store.modelsChanged();
                }
              }).completion(),
              // a bot's answers changed through another instance or node: read them again at the next match
              vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_ANSWERS_CHANGED, event -> {
                if (Ids.isEntityId(event.body().getString(Fields.BOT_ID))) {
                  answers.forget(event.body().getString(Fields.BOT_ID));
                }
              }).completion(),
              vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS_BOT_CHANGED, event -> {
                JsonObject body = event.body();
                if ("deleted".equals(body.getString(Fields.ACTION)) && Ids.isEntityId(body.getString(Fields.BOT_ID))) {
                  answers.forget(body.getString(Fields.BOT_ID));
                  knowledge.deleteBot(body.getString(Fields.BOT_ID))
                      .onFailure(failure -> LOG.error("Could not remove the vectors of deleted bot {}",
                          body.getString(Fields.BOT_ID), failure));
                }
              }).completion()));
        })
        .compose(registered -> knowledge.resume())
        .onSuccess(v -> {
          BotClient bots = new BotClient(new Bus(vertx), Timeouts.from(config.getJsonObject("timeouts")));
          syncTimer = vertx.setPeriodic(Math.max(100, config.getLong("sync_check_ms", 300_000L)),
              t -> knowledge.syncDue(botId -> bots.get(null, botId))
                  .onFailure(failure -> LOG.warn("Scheduled sync check failed: {}", failure.getMessage())));
          preload.atStart(documents::hasKnowledge)
              .compose(now -> now ? embedders.warmUp() : Future.<Void>succeededFuture())
              .onFailure(failure -> LOG.error("The embedding model could not be loaded at start", failure));
        });
  }

  /** The knowledge base's parts, wired: intake and ingestion share the queue, ingestion deletes through intake. */
  private KnowledgeBase knowledgeBase(DocumentStore store, KnowledgeSettings settings) {
    IngestionQueue queue = new IngestionQueue(store, embedders, settings.concurrency(), embedders.ingesting().batch());
    DocumentFiles files = new DocumentFiles(vertx, ingestWorkers, settings.filesDir());
    DocumentIntake intake = new DocumentIntake(store, vectors, files, fetcher, queue, settings);
    DocumentReader reader = new DocumentReader(fetcher, files, ingestWorkers, settings);
    SitemapIngestion sitemaps = new SitemapIngestion(store, fetcher, ingestWorkers, queue, intake, settings);
    queue.runWith(new Ingestion(vertx, store, vectors, embedders, reader, sitemaps, queue,
        new DocumentWrites(context, store), settings.quotas()));
    return new KnowledgeBase(intake, queue, new Retrieval(store, vectors, embedders));
  }

  /**
   * The vector store: the Lucene index under {@code data_dir/index}, or Qdrant ({@code qdrant:
   * {host, port, api_key, tls}}) with a text-only Lucene index under {@code data_dir/index-text} for BM25.
   */
  private Future<VectorStore> openStore(String type, Path dataDir, JsonObject config) {
    if ("lucene".equals(type)) {
      return ingestWorkers.executeBlocking(() -> new LuceneStore(vertx, KnowledgeIndex.open(dataDir.resolve("index")),
          ingestWorkers, searchWorkers, config.getLong("commit_interval_ms", 100L)), false);
    }
    JsonObject qdrant = config.getJsonObject("qdrant", new JsonObject());
    String where = "qdrant " + qdrant.getString("host", "localhost") + ":" + qdrant.getInteger("port", 6334);
    return ingestWorkers.executeBlocking(() -> {
      KnowledgeIndex text = KnowledgeIndex.open(dataDir.resolve("index-text"));
      try {
        return new QdrantStore(context, QdrantStore.connect(qdrant), text, ingestWorkers, searchWorkers, where);
      } catch (RuntimeException e) {
        text.release();
        throw e;
      }
    }, false).compose(store -> store.check()
        .onSuccess(v -> LOG.info("Knowledge vectors in {}", where))
        .recover(down -> {
          LOG.error("Qdrant at {} does not answer; searches and ingestion fail until it does", where);
          return Future.succeededFuture();
        })
        .map(v -> store));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(syncTimer);
    LocalKnowledge.of(vertx).changed(); // nothing would tell the node of a change any more
    if (fetcher != null) {
      fetcher.close();
    }
    if (embedders != null) {
      embedders.close();
    }
    Future<?> closed = vectors == null ? Future.succeededFuture() : vectors.close();
    return closed.compose(v -> database == null ? Future.succeededFuture() : database.close())
        .eventually(() -> Future.all(ingestWorkers.close(), searchWorkers.close()));
  }

  private static JsonObject withBot(JsonObject body) {
    botId(body);
    return body;
  }

  private static String botId(JsonObject body) {
    return Ids.requireEntityId(body.getString(Fields.BOT_ID), "Bot");
  }

  private static String answerId(JsonObject body) {
    return Ids.requireEntityId(body.getString(Fields.ANSWER_ID), "Answer");
  }

  private static JsonObject answerBody(JsonObject body) {
    if (!(body.getValue(Fields.ANSWER) instanceof JsonObject answer)) {
      throw dev.parley.common.ParleyException.invalid(Fields.ANSWER, "Send the answer as a JSON object");
    }
    return answer;
  }

  private static String documentId(JsonObject body) {
    return Ids.requireEntityId(body.getString(Fields.DOCUMENT_ID), "Document");
  }

  /** {@code parley.rag.search} on the search worker threads, one {@link SearchVerticle} per thread. */
  private Future<Void> searches(TurnSearch searches, int threads) {
    return vertx.deployVerticle(() -> new SearchVerticle(searches), new DeploymentOptions()
        .setThreadingModel(ThreadingModel.WORKER).setWorkerPoolName(SEARCH_POOL).setWorkerPoolSize(threads)
        .setInstances(threads)).mapEmpty();
  }

  private Future<Void> consume(String address, Function<JsonObject, Future<JsonObject>> handler) {
    return BusHandlers.register(vertx, address, handler);
  }
}
