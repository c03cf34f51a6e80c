package dev.parley.rag;

import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queued document's run: read (extract → chunk) → embed → index, a sitemap's pages brought in line, or a
 * re-embedding from the stored chunks; then the document's status (ready, or failed with a reason an operator
 * can act on) and a {@code parley.events.document.changed} event. A document deleted meanwhile leaves nothing
 * behind in the index.
 */
final class Ingestion implements IngestionQueue.Worker {

  private static final Logger LOG = LoggerFactory.getLogger(Ingestion.class);
  /** The least time between two progress writes of a document being embedded. */
  private static final long PROGRESS_EVERY_MS = 1_000;

  private final Vertx vertx;
  private final DocumentStore store;
  private final VectorStore vectors;
  private final Embedders embedders;
  private final DocumentReader reader;
  private final SitemapIngestion sitemaps;
  private final IngestionQueue queue;
  private final DocumentWrites writes;
  private final Quotas quotas;

  Ingestion(Vertx vertx, DocumentStore store, VectorStore vectors, Embedders embedders, DocumentReader reader,
      SitemapIngestion sitemaps, IngestionQueue queue, DocumentWrites writes, Quotas quotas) {
    this.vertx = vertx;
    this.quotas = quotas;
    this.store = store;
    this.writes = writes;
    this.vectors = vectors;
    this.embedders = embedders;
    this.reader = reader;
    this.sitemaps = sitemaps;
    this.queue = queue;
  }

  @Override
  public Future<Void> run(String id, boolean reembed, IngestionQueue.Place place) {
    JsonObject added = queue.row(id);
    return (added != null && !reembed ? Future.succeededFuture(added) : store.find(id)).compose(doc -> {
      if (doc == null) {
        return Future.<Void>succeededFuture();
      }
      long started = System.currentTimeMillis();
      if (reembed) {
        return reembed(doc, started, place);
      }
      // a ready URL document being synced stays ready (and searchable) unless its content changed
      boolean refresh = "ready".equals(doc.getString("status")) && doc.getString("url") != null;
      Future<Void> begin = !processingBeforeRead(doc, refresh) ? Future.succeededFuture()
          : store.status(id, "processing", null).onSuccess(v -> published(doc, "processing", null));
      return begin
          .compose(v -> reader.content(doc))
          .compose(page -> page.url() == null ? ingest(doc, page, refresh, started, place)
              : reader.sitemap(page).compose(sitemap -> sitemap.isPresent()
                  ? sitemaps.sync(doc, page, sitemap.get()).onSuccess(v -> published(doc, "ready", null))
                  : ingest(doc, page, refresh, started, place)))
          .recover(failure -> failed(doc, failure));
    });
  }

  private Future<Void> ingest(JsonObject doc, UrlFetcher.Page page, boolean refresh, long started,
      IngestionQueue.Place place) {
    String id = doc.getString("id");
    String botId = doc.getString(Fields.BOT_ID);
    Embedder embedder = embedders.ingesting();
    return reader.extract(doc, page)
          .compose(extraction -> {
            queue.checkCancelled(id, botId);
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
            int count = extraction.chunks().size();
            place.read(count);
            // an upload's bytes were counted when it was added; a page's are known only now
            Future<Void> room = doc.getString("url") == null ? Future.succeededFuture()
                : store.claimBytes(quotas, botId, id, extraction.size());
            return room.compose(fits -> writes.saveChunks(id, botId, extracted, extraction.chunks()))
                .onSuccess(v -> {
                  if (!processingBeforeRead(doc, refresh)) {
                    published(doc, "processing", null);
                  }
                })
                .compose(v -> embed(id, embedder, extraction.chunks()))
                .compose(entries -> {
                  queue.checkCancelled(id, botId);
                  return vectors.replaceDocument(botId, id, extraction.name(), embedder.model(), entries);
                })
                .compose(v -> committed(place))
                .map(v -> count);
          })
          .compose(chunks -> {
            if (queue.dropped(id, botId)) {
              return vectors.deleteDocument(id);
            }
            if (chunks < 0) {
              return Future.<Void>succeededFuture();
            }
            LOG.info("Document {} of bot {} ready: {} chunks embedded with {} in {} ms", id, botId, chunks,
                embedder.model(), System.currentTimeMillis() - started);
            return writes.ready(new DocumentStore.Ready(id, embedder.model(), doc.getString("url") != null))
                .onSuccess(v -> published(doc, "ready", null));
          });
  }

  /**
   * Whether the document is marked processing before its content is read. Otherwise it is from the transaction that
   * stores its chunks (one write less per document): only a top-level URL that is not being synced, whose fetch may
   * take up to {@code fetch_timeout_ms} (a sitemap's many more) and whose status an operator watches, says so first.
   */
  private static boolean processingBeforeRead(JsonObject doc, boolean refresh) {
    return !refresh && doc.getString("url") != null && doc.getString("parent_id") == null;
  }

  /**
   * Re-embeds a document from its stored chunks with the configured model and swaps its vectors in
   * one write, which drops the ones of the model it was built with. If embedding fails, nothing was
   * written: the old vectors stay and are still searched, and the document is marked failed with the
   * reason, keeping its model (another re-index tries it again). If the write fails, the document
   * fails as any ingestion does, with its vectors removed everywhere.
   */
  private Future<Void> reembed(JsonObject doc, long started, IngestionQueue.Place place) {
    String id = doc.getString("id");
    String botId = doc.getString(Fields.BOT_ID);
    String before = doc.getString("embedding_model");
    Embedder embedder = embedders.ingesting();
    Future<List<KnowledgeIndex.Entry>> embedded = store.status(id, "processing", null)
        .onSuccess(v -> published(doc, "processing", null))
        .compose(v -> store.chunks(id))
        .compose(chunks -> {
          if (chunks.isEmpty()) {
            return Future.failedFuture(new IngestionFailure("The document has no stored passages; retry it to read it "
                + "again"));
          }
          place.read(chunks.size());
          return embed(id, embedder, chunks);
        });
    return embedded.transform(result -> {
      if (result.failed()) {
        return before == null ? failed(doc, result.cause()) : reindexFailed(doc, before, embedder.model(), result.cause());
      }
      return Future.<Void>succeededFuture()
          .compose(v -> {
            queue.checkCancelled(id, botId);
            return vectors.replaceDocument(botId, id, doc.getString("name"), embedder.model(), result.result());
          })
          .compose(v -> committed(place))
          .compose(v -> {
            if (queue.dropped(id, botId)) {
              return vectors.deleteDocument(id);
            }
            LOG.info("Document {} of bot {} re-indexed: {} chunks embedded with {} (was {}) in {} ms", id, botId,
                result.result().size(), embedder.model(), before, System.currentTimeMillis() - started);
            return writes.ready(new DocumentStore.Ready(id, embedder.model(), false))
                .onSuccess(ready -> published(doc, "ready", null));
          })
          .recover(failure -> failed(doc, failure));
    });
  }

  /**
   * Frees the document's place in the queue (its chunks are in the index) and waits for the index commit that holds
   * them: it is marked ready only after that (with the other documents of the commit, {@link DocumentWrites}), so a
   * crash before the commit leaves it processing, and the next start ingests it again (its chunks replace whatever
   * the index kept of it).
   */
  private Future<Void> committed(IngestionQueue.Place place) {
    place.handedOver();
    return vectors.committed();
  }

  private Future<List<KnowledgeIndex.Entry>> embed(String id, Embedder embedder, List<Chunker.Chunk> chunks) {
    return embed(id, embedder, chunks, 0, new ArrayList<>(), new long[] {System.currentTimeMillis()});
  }

  private Future<List<KnowledgeIndex.Entry>> embed(String id, Embedder embedder, List<Chunker.Chunk> chunks, int from,
      List<KnowledgeIndex.Entry> entries, long[] progressWritten) {
    if (from >= chunks.size()) {
      return Future.succeededFuture(entries);
    }
    if (queue.cancelled(id)) {
      return Future.failedFuture(new IngestionQueue.Cancelled());
    }
    List<Chunker.Chunk> batch = chunks.subList(from, Math.min(chunks.size(), from + embedder.batch()));
    return embedder.embed(batch.stream().map(Chunker.Chunk::indexedText).toList())
        .compose(vectors -> {
          for (int i = 0; i < batch.size(); i++) {
            Chunker.Chunk c = batch.get(i);
            entries.add(new KnowledgeIndex.Entry(id + ":" + c.position(), c.position(), c.heading(), c.text(),
                vectors.get(i)));
          }
          // at most one progress write a second; the last step's is written with the status (ready sets chunks_done)
          long now = System.currentTimeMillis();
          if (from + batch.size() >= chunks.size() || now - progressWritten[0] < PROGRESS_EVERY_MS) {
            return Future.<Void>succeededFuture();
          }
          progressWritten[0] = now;
          return store.progress(id, entries.size());
        })
        .compose(v -> embed(id, embedder, chunks, from + batch.size(), entries, progressWritten));
  }

  /** A re-index whose embedding failed: the document keeps its old vectors and model, and says why it failed. */
  private Future<Void> reindexFailed(JsonObject doc, String before, String model, Throwable failure) {
    String id = doc.getString("id");
    if (failure instanceof IngestionQueue.Cancelled || queue.dropped(id, doc.getString(Fields.BOT_ID))) {
      return failed(doc, failure);
    }
    String why = reason(id, failure);
    String reason = "Re-indexing with " + model + " failed: " + why + (why.endsWith(".") ? "" : ".")
        + " The document is still searched with " + before + ".";
    LOG.info("Document {} of bot {}: {}", id, doc.getString(Fields.BOT_ID), reason);
    return store.status(id, "failed", reason).onSuccess(v -> published(doc, "failed", reason));
  }

  private Future<Void> failed(JsonObject doc, Throwable failure) {
    String id = doc.getString("id");
    if (failure instanceof IngestionQueue.Cancelled || queue.dropped(id, doc.getString(Fields.BOT_ID))) {
      return vectors.deleteDocument(id);
    }
    String reason = reason(id, failure);
    LOG.info("Document {} of bot {} failed: {}", id, doc.getString(Fields.BOT_ID), reason);
    return vectors.deleteDocument(id)
        .recover(stillThere -> Future.succeededFuture())
        .compose(v -> store.failed(id, reason)).onSuccess(v -> published(doc, "failed", reason));
  }

  private static String reason(String id, Throwable failure) {
    if (failure instanceof IngestionFailure || failure instanceof ParleyException) {
      return failure.getMessage();
    }
    LOG.error("Ingestion of document {} failed", id, failure);
    return "Processing failed because of an internal error; try again";
  }

  private void published(JsonObject doc, String status, String error) {
    vertx.eventBus().publish(Addresses.EVENTS_DOCUMENT_CHANGED, new JsonObject()
        .put(Fields.BOT_ID, doc.getString(Fields.BOT_ID)).put(Fields.DOCUMENT_ID, doc.getString("id"))
        .put(Fields.STATUS, status).put(Fields.ERROR, error));
  }
}
