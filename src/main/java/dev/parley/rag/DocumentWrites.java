package dev.parley.rag;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two SQL writes every ingested document makes, shared between the documents in flight ({@link GroupedWrites}):
 * its chunks with what extraction found (from then on it is processing), and its ready mark. The documents an index
 * commit held are all released when it ends, and one transaction then marks them all ready; the documents read in
 * the same moment store their chunks in one transaction. Small documents took a transaction each for both, on a
 * SQLite connection that every component shares.
 *
 * <p>A failed ready write fails each of its documents with an {@link IngestionFailure} saying so: the ingestion
 * then marks it failed with that reason, so it can be retried, and a document whose failure cannot be written
 * either stays processing and is ingested again at the next start.
 */
final class DocumentWrites {

  /** The most documents one transaction writes; more wait for the next. */
  static final int MAX_GROUP = 200;

  private static final Logger LOG = LoggerFactory.getLogger(DocumentWrites.class);

  private final GroupedWrites<DocumentStore.Chunks> chunks;
  private final GroupedWrites<DocumentStore.Ready> ready;

  /** {@code context}: where writes start (the ingestion's), so that what one tick asks for is written together. */
  DocumentWrites(Context context, DocumentStore store) {
    this.chunks = new GroupedWrites<>(context, MAX_GROUP, store::saveChunks);
    this.ready = new GroupedWrites<>(context, MAX_GROUP, store::ready);
  }

  /** Replaces the document's chunks and records what extraction found; the document is processing after it. */
  Future<Void> saveChunks(String id, String botId, Map<String, Object> extracted, List<Chunker.Chunk> chunks) {
    return this.chunks.write(new DocumentStore.Chunks(id, botId, extracted, chunks));
  }

  /** Completes once the document is marked ready; fails with an {@link IngestionFailure} if the write failed. */
  Future<Void> ready(DocumentStore.Ready document) {
    return ready.write(document).recover(failure -> {
      LOG.error("Could not mark document {} ready", document.id(), failure);
      return Future.failedFuture(new IngestionFailure("Its passages were indexed but it could not be marked ready "
          + "(a database error); retry it"));
    });
  }

  /** How many ready writes ran: what the tests compare with the documents marked ready. */
  long readyWrites() {
    return ready.writes();
  }
}
