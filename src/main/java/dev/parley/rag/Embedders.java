package dev.parley.rag;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The embedding models this node can use: the configured one ({@code rag.embeddings}), which new
 * documents and re-indexes are embedded with, and the ones an existing index may have been built
 * with. The local model is always available; another OpenAI-compatible model is available while
 * the configured provider is {@code openai} (it is asked for through the same endpoint and key).
 */
final class Embedders {

  private final Embedder local;
  private final Embedder configured;
  private final OpenAiEmbeddings.Settings openai;
  private final Vertx vertx;
  private final WebClient client;
  private final Map<String, Embedder> others = new ConcurrentHashMap<>();
  private final EmbeddingBatcher ingesting;

  private final Local localModel;

  /** Each model's search queries are embedded once ({@link QueryVectors}). */
  private Embedders(Vertx vertx, Local local, Embedder configured, OpenAiEmbeddings.Settings openai,
      WebClient client) {
    this.vertx = vertx;
    this.localModel = local;
    this.local = new QueryVectors(local);
    this.configured = configured == local ? this.local : new QueryVectors(configured);
    this.openai = openai;
    this.client = client;
    // the in-process model uses every core for one call; an API takes a few requests at once
    this.ingesting = new EmbeddingBatcher(configured, configured == local ? 1 : 4);
  }

  /**
   * From the {@code rag} config: {@code embeddings: {provider: local|openai, model, base_url, api_key, batch,
   * dimensions, timeout_ms, query_timeout_ms, max_retries, backoff_initial_ms, backoff_max_ms,
   * max_retry_after_s}}; the local model's batch is {@code embeddings.batch}, else {@code embed_batch}.
   * Throws {@link IllegalArgumentException} for a setting that cannot work.
   */
  static Embedders create(Vertx vertx, WorkerExecutor ingestWorkers, WorkerExecutor searchWorkers, Path modelCache,
      JsonObject config) {
    JsonObject settings = config.getJsonObject("embeddings", new JsonObject());
    String provider = settings.getString("provider");
    provider = provider == null || provider.isBlank() ? "local" : provider.strip();
    Object batchValue = settings.getValue("batch");
    int localBatch = batchValue instanceof Number n ? n.intValue() : config.getInteger("embed_batch", 16);
    Local local = new Local(ingestWorkers, searchWorkers, modelCache, Math.max(1, localBatch));
    switch (provider) {
      case "local":
        return new Embedders(vertx, local, local, null, null);
      case "openai": {
        OpenAiEmbeddings.Settings openai = OpenAiEmbeddings.Settings.from(settings);
        WebClient client = OpenAiEmbeddings.client(vertx, openai);
        return new Embedders(vertx, local, new OpenAiEmbeddings(vertx, client, openai), openai, client);
      }
      default:
        throw new IllegalArgumentException("rag.embeddings.provider must be local or openai, not " + provider);
    }
  }

  /** The model new documents are embedded with. */
  Embedder configured() {
    return configured;
  }

  /** The configured model as ingestion uses it: the chunks of the documents being ingested in shared batches. */
  Embedder ingesting() {
    return ingesting;
  }

  /** The model an index was built with, or null when this node cannot embed with it (so cannot search it). */
  Embedder forModel(String model) {
    if (model == null) {
      return null;
    }
    if (model.equals(configured.model())) {
      return configured;
    }
    if (model.equals(local.model())) {
      return local;
    }
    Object[] named = OpenAiEmbeddings.parse(model);
    if (openai == null || named == null) {
      return null;
    }
    return others.computeIfAbsent(model, m -> new QueryVectors(new OpenAiEmbeddings(vertx, client,
        openai.withModel((String) named[0], (Integer) named[1]))));
  }

  /**
   * Loads the local embedding model off the event loop when it is the configured one, so the first
   * ingestion or search does not wait for it.
   */
  Future<Void> warmUp() {
    return configured == local ? localModel.load() : Future.succeededFuture();
  }

  /** A line for the start-up log: the model and, for an API, where it is (never the key). */
  String describe() {
    return openai == null ? configured.model() + " (in process)"
        : configured.model() + " at " + openai.where() + ", " + configured.batch() + " per request";
  }

  void close() {
    if (client != null) {
      client.close();
    }
  }

  /** The in-process model ({@link LocalEmbeddings}) on the worker pools; its queries on the search workers. */
  private static final class Local implements Embedder {
    private final WorkerExecutor ingestWorkers;
    private final WorkerExecutor searchWorkers;
    private final Path modelCache;
    private final int batch;

    Local(WorkerExecutor ingestWorkers, WorkerExecutor searchWorkers, Path modelCache, int batch) {
      this.ingestWorkers = ingestWorkers;
      this.searchWorkers = searchWorkers;
      this.modelCache = modelCache;
      this.batch = batch;
    }

    @Override
    public String model() {
      return LocalEmbeddings.MODEL;
    }

    @Override
    public int batch() {
      return batch;
    }

    @Override
    public Future<List<float[]>> embed(List<String> texts) {
      return ingestWorkers.executeBlocking(() -> LocalEmbeddings.embed(modelCache, texts), false);
    }

    Future<Void> load() {
      return searchWorkers.executeBlocking(() -> LocalEmbeddings.load(modelCache), false).mapEmpty();
    }

    /** On the search workers (this one, when called on one), ahead of the chunks the model's threads have queued. */
    @Override
    public Future<List<float[]>> embedNow(List<String> texts) {
      return onSearchWorker(() -> MiniLmModel.urgently(() -> LocalEmbeddings.embed(modelCache, texts)));
    }

    @Override
    public Future<float[]> embedQuery(String text) {
      return onSearchWorker(() -> LocalEmbeddings.embedOne(modelCache, text));
    }

    /** Runs here when already on a worker (a search worker: SearchVerticle), else on the search workers. */
    private <T> Future<T> onSearchWorker(Supplier<T> work) {
      if (Context.isOnWorkerThread()) {
        try {
          return Future.succeededFuture(work.get());
        } catch (RuntimeException e) {
          return Future.failedFuture(e);
        }
      }
      return searchWorkers.executeBlocking(work::get, false);
    }
  }
}
