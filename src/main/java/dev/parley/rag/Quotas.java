package dev.parley.rag;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;

/**
 * A bot's knowledge-base quotas ({@code rag.max_documents_per_bot}, {@code rag.max_bytes_per_bot}; 0 is
 * no limit), checked when a document is added: past the count 409 {@code quota_exceeded}, past the bytes
 * 413 {@code quota_exceeded}. Every document of the bot counts, sitemap pages included; a URL's bytes are counted, and
 * checked, once it was fetched ({@link DocumentStore#claimBytes}). They are counted in the transaction that inserts, under a lock per bot
 * ({@link DocumentStore#insertWithin}); a sitemap's new pages are added as far as they fit ({@link #room}).
 */
record Quotas(long maxDocuments, long maxBytes) {

  static final long DEFAULT_DOCUMENTS = 10_000;
  static final long DEFAULT_BYTES = 1024L * 1024 * 1024;

  /** Succeeds when one more document of {@code size} bytes fits beside {@code count} taking {@code bytes}. */
  Future<Void> check(long count, long bytes, long size) {
    return check(count, bytes, 1, size);
  }

  /**
   * How many of {@code wanted} more documents whose size is not known yet (a sitemap's new pages) fit beside
   * {@code count} taking {@code bytes}: none once the bytes are past their limit (as {@link #check} lets a document
   * of no known size in at the limit itself).
   */
  int room(long count, long bytes, int wanted) {
    if (maxBytes > 0 && bytes > maxBytes) {
      return 0;
    }
    return maxDocuments <= 0 ? wanted : (int) Math.max(0, Math.min(wanted, maxDocuments - count));
  }

  /** Succeeds when {@code documents} more documents of {@code size} bytes in all fit beside {@code count}. */
  Future<Void> check(long count, long bytes, int documents, long size) {
    if (maxDocuments > 0 && count + documents > maxDocuments) {
      return Future.failedFuture(new ParleyException(ErrorCodes.CONFLICT, "quota_exceeded", count >= maxDocuments
          ? "The bot already has " + count + " documents, its limit (rag.max_documents_per_bot); delete some to add more"
          : "The bot has " + count + " documents and " + documents + " more would pass its limit of " + maxDocuments
              + " (rag.max_documents_per_bot); send fewer or delete some"));
    }
    if (maxBytes > 0 && bytes + size > maxBytes) {
      return Future.failedFuture(new ParleyException(ErrorCodes.PAYLOAD_TOO_LARGE, "quota_exceeded", "The bot's "
          + "documents would take " + (bytes + size) + " bytes, more than its limit of " + maxBytes
          + " bytes (rag.max_bytes_per_bot)"));
    }
    return Future.succeededFuture();
  }
}
