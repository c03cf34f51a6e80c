package dev.parley.rag;

import dev.parley.common.Fields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which documents are ingested when, in two stages: at most {@code ingest_concurrency} being read (fetched or
 * loaded, extracted, chunked) at once, and, once read, as many waiting for the embedding model as keep it busy:
 * a new document is started only while those hold fewer than {@value #BATCHES_IN_FLIGHT} of the model's batches
 * of chunks (each document's counted up to one batch, since it asks the model for one batch at a time). The rest
 * wait in order, and a document waiting for the index commit that holds it takes no place. (One-chunk documents
 * used to be read eight at a time and embedded eight at a time, the model idle while the next eight were read.)
 * The documents a previous run left unfinished, URL documents due for a sync, and a bot's re-index are queued
 * here. It also keeps what deletions cancelled, so a document being processed stops at its next step. Runs on
 * one verticle context.
 */
final class IngestionQueue {

  /**
   * Runs one document taken off the queue; {@code reembed} when a re-index queued it. The run tells its
   * {@link Place} when its text is read and when its chunks are written to the index (it then only waits for their
   * commit). The run's place is freed when it ends in any case.
   */
  @FunctionalInterface
  interface Worker {
    Future<Void> run(String id, boolean reembed, Place place);
  }

  /** A running document's place in the queue. Each step counts once; calls after the first are ignored. */
  interface Place {
    /** The document is read: its {@code chunks} now wait for the embedding model, and the next one can be read. */
    void read(int chunks);

    /** The document's chunks are in the index and it only waits for their commit: it takes no place any more. */
    void handedOver();
  }

  /** The document was deleted while it was being processed. */
  static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  /**
   * How many of the model's batches the documents read may hold: enough for the next calls to be full while one
   * runs (up to four at once for an embeddings API), few enough that documents read stay a bounded amount.
   */
  static final int BATCHES_IN_FLIGHT = 4;

  /** The most rows of new documents kept for their run; beyond, a run reads its document's row from the database. */
  static final int MAX_ROWS_KEPT = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(IngestionQueue.class);

  private final DocumentStore store;
  private final Embedders embedders;
  private final int concurrency;
  private final int chunksInFlight;
  private final int batch;
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private final Set<String> queued = new HashSet<>();
  private final Set<String> cancelled = new HashSet<>();
  private final Set<String> deletedBots = new HashSet<>();
  /** Queued documents to re-embed from their stored chunks with the configured model. */
  private final Set<String> reindexing = new HashSet<>();
  /** The rows of documents just added, so that their runs need not read them again (at most {@link #MAX_ROWS_KEPT}). */
  private final Map<String, JsonObject> rows = new HashMap<>();
  private Worker worker;
  /** Documents being read. */
  private int reading;
  /** Chunks of the documents read and not yet in the index, each document's counted up to {@link #batch}. */
  private int embedding;

  /**
   * {@code concurrency} documents read at once; new ones start only while the documents read hold fewer than
   * {@value #BATCHES_IN_FLIGHT} batches of chunks waiting for the model, each document's counted up to one
   * {@code batch} (the model's).
   */
  IngestionQueue(DocumentStore store, Embedders embedders, int concurrency, int batch) {
    this.store = store;
    this.embedders = embedders;
    this.concurrency = concurrency;
    this.batch = Math.max(1, batch);
    this.chunksInFlight = BATCHES_IN_FLIGHT * this.batch;
  }

  /** Who processes the queued documents; set once, before anything is queued. */
  void runWith(Worker worker) {
    this.worker = worker;
  }

  /** Queues a document just added, with its row (what its run would read first). */
  void enqueue(JsonObject row) {
    String id = row.getString("id");
    if (!queued.contains(id) && rows.size() < MAX_ROWS_KEPT) {
      rows.put(id, row);
    }
    enqueue(id);
  }

  /** The row of a document just added and not yet run, once (null: read it from the database). */
  JsonObject row(String id) {
    return rows.remove(id);
  }

  /**
   * Queues a document, unless it is queued or running already. A deletion's cancel holds until that run ends: a sync
   * arriving meanwhile must not let the run of a deleted document write its passages again.
   */
  void enqueue(String id) {
    if (queued.add(id)) {
      queue.add(id);
      drain();
    }
  }

  /** A deleted document: if it is queued or being processed, it stops at its next step. */
  void cancel(String id) {
    if (queued.contains(id)) {
      cancelled.add(id);
    }
    rows.remove(id);
  }

  /**
   * A deleted bot: its documents being processed stop at their next step. Remembered only while documents are queued
   * or running (every deletion used to stay here until the process stopped).
   */
  void forgetBot(String botId) {
    if (!queued.isEmpty()) {
      deletedBots.add(botId);
    }
  }

  boolean cancelled(String id) {
    return cancelled.contains(id);
  }

  /** Whether the document or its bot was deleted since it was queued. */
  boolean dropped(String id, String botId) {
    return cancelled.contains(id) || deletedBots.contains(botId);
  }

  /** Throws {@link Cancelled} if the document or its bot was deleted since it was queued. */
  void checkCancelled(String id, String botId) {
    if (dropped(id, botId)) {
      throw new Cancelled();
    }
  }

  private void drain() {
    while (reading < concurrency && embedding < chunksInFlight && !queue.isEmpty()) {
      String id = queue.poll();
      reading++;
      Running place = new Running();
      worker.run(id, reindexing.remove(id), place).onComplete(done -> {
        queued.remove(id);
        cancelled.remove(id);
        if (queued.isEmpty()) {
          deletedBots.clear();
        }
        if (done.failed()) {
          LOG.error("Ingestion of document {} ended unexpectedly", id, done.cause());
        }
        place.handedOver();
      });
    }
  }

  /** A document's place: being read, then its chunks waiting for the model, then none. */
  private final class Running implements Place {
    private boolean read;
    private boolean freed;
    private int counted;

    @Override
    public void read(int chunks) {
      if (read || freed) {
        return;
      }
      read = true;
      counted = Math.min(Math.max(0, chunks), batch);
      reading--;
      embedding += counted;
      drain();
    }

    @Override
    public void handedOver() {
      if (freed) {
        return;
      }
      freed = true;
      if (read) {
        embedding -= counted;
      } else {
        reading--;
      }
      drain();
    }
  }

  // ---- what is queued when

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

  /**
   * Syncs the URL and sitemap documents whose bot's {@code rag.sync_interval_hours} has passed since
   * they were last checked. {@code settings} gives a bot's settings (a failure skips the bot this time).
   */
  Future<Integer> syncDue(Function<String, Future<JsonObject>> settings) {
    return store.syncable().compose(docs -> {
      Map<String, List<JsonObject>> byBot = new LinkedHashMap<>();
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
}
