package dev.parley.rag;

import dev.parley.common.Fields;
import dev.parley.common.Hashes;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Reads a document for ingestion: its bytes (the stored file, or the page fetched again), whether a page is a
 * sitemap, and its text as chunks. Parsing runs on the ingestion workers.
 */
final class DocumentReader {

  /** What a document's content gave: its name, type, size and hash, and its chunks. */
  record Extraction(String name, String mime, long size, String hash, List<Chunker.Chunk> chunks) {
  }

  private final UrlFetcher fetcher;
  private final DocumentFiles files;
  private final WorkerExecutor workers;
  private final Chunker chunker;
  private final long maxBytes;

  DocumentReader(UrlFetcher fetcher, DocumentFiles files, WorkerExecutor workers, KnowledgeSettings settings) {
    this.fetcher = fetcher;
    this.files = files;
    this.workers = workers;
    this.chunker = new Chunker(settings.chunkSize(), settings.chunkOverlap());
    this.maxBytes = settings.maxBytes();
  }

  /** The document's bytes and their declared type: the stored file, or the page fetched again. */
  Future<UrlFetcher.Page> content(JsonObject doc) {
    if (doc.getString("url") != null) {
      return fetcher.fetch(doc.getString("url"));
    }
    return files.read(doc.getString(Fields.BOT_ID), doc.getString("id"))
        .map(bytes -> new UrlFetcher.Page(null, doc.getString("mime"), bytes))
        .recover(missing -> Future.failedFuture(new IngestionFailure("The uploaded file is missing; upload it again")));
  }

  /** The sitemap a fetched page is, if it is one (parsed on a worker only when it may be one). */
  Future<Optional<Sitemaps.Listing>> sitemap(UrlFetcher.Page page) {
    if (!Sitemaps.mayBe(page)) {
      return Future.succeededFuture(Optional.empty());
    }
    return workers.executeBlocking(() -> Optional.ofNullable(Sitemaps.parse(page)), false);
  }

  Future<Extraction> extract(JsonObject doc, UrlFetcher.Page page) {
    return workers.executeBlocking(() -> extracted(doc, page), false);
  }

  private Extraction extracted(JsonObject doc, UrlFetcher.Page page) {
    String type;
    String name = doc.getString("name");
    if (page.url() != null) {
      URI uri = URI.create(page.url());
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
      String urlName = DocumentRows.name(null, DocumentRows.urlName(URI.create(doc.getString("url"))));
      if (!title.isBlank() && doc.getString("name").equals(urlName)) {
        name = DocumentRows.name(title, name);
      }
    }
    List<Chunker.Chunk> chunks = chunker.chunk(blocks);
    if (chunks.isEmpty()) {
      throw new IngestionFailure("The document contains no text");
    }
    String hash = Hashes.sha256Hex(page.body());
    return new Extraction(name, Extractors.mimeOf(type), page.body().length, hash, chunks);
  }
}
