package dev.parley.rag;

import dev.parley.common.Fields;
import dev.parley.common.Hashes;
import dev.parley.common.Ids;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A URL that turned out to be a sitemap: each listed page (through one level of sitemap index,
 * at most {@code max_sitemap_pages}) becomes a child document, fetched and checked like any URL;
 * pages no longer listed are removed, the others synced (re-embedded only if they changed). New pages are added as
 * far as the bot's quotas leave room; if some were left out, the sitemap fails saying so (the pages added stay).
 */
final class SitemapIngestion {

  private static final Logger LOG = LoggerFactory.getLogger(SitemapIngestion.class);
  /** How many new pages of a sitemap one transaction adds. */
  private static final int INSERT_BATCH = 500;

  private final DocumentStore store;
  private final UrlFetcher fetcher;
  private final WorkerExecutor workers;
  private final IngestionQueue queue;
  private final DocumentIntake intake;
  private final int maxPages;
  private final int maxFiles;
  private final Quotas quotas;

  SitemapIngestion(DocumentStore store, UrlFetcher fetcher, WorkerExecutor workers, IngestionQueue queue,
      DocumentIntake intake, KnowledgeSettings settings) {
    this.store = store;
    this.fetcher = fetcher;
    this.workers = workers;
    this.queue = queue;
    this.intake = intake;
    this.maxPages = settings.maxSitemapPages();
    this.maxFiles = settings.maxSitemapFiles();
    this.quotas = settings.quotas();
  }

  /** Brings the sitemap document {@code doc}'s pages in line with {@code listing}; the sitemap is then ready. */
  Future<Void> sync(JsonObject doc, UrlFetcher.Page page, Sitemaps.Listing listing) {
    String id = doc.getString("id");
    String botId = doc.getString(Fields.BOT_ID);
    if (doc.getString("parent_id") != null) {
      return Future.failedFuture(new IngestionFailure("This page of a sitemap is itself a sitemap; Parley reads "
          + "one level of sitemap index"));
    }
    return Sitemaps.pages(fetcher, workers, page, listing, maxPages, maxFiles).compose(urls -> {
      if (urls.isEmpty()) {
        return Future.failedFuture(new IngestionFailure("The sitemap lists no pages"));
      }
      return store.children(id).compose(children -> {
        List<String> removed = new ArrayList<>();
        Set<String> known = new HashSet<>();
        for (Object c : children) {
          JsonObject child = (JsonObject) c;
          if (urls.contains(child.getString("url"))) {
            known.add(child.getString("url"));
            queue.enqueue(child.getString("id"));
          } else {
            removed.add(child.getString("id"));
          }
        }
        long now = System.currentTimeMillis();
        List<String> fresh = urls.stream().filter(url -> !known.contains(url)).toList();
        List<String> ids = Ids.prefixedInOrder("doc", fresh.size());
        List<Map<String, Object>> added = new ArrayList<>();
        for (int i = 0; i < fresh.size(); i++) {
          added.add(DocumentRows.url(ids.get(i), botId, now, URI.create(fresh.get(i)), null, id));
        }
        // pages no longer listed go first, so that their room in the bot's quotas goes to the new ones (a removal that
        // failed keeps none of them out); the sitemap is recorded as synced either way, so a refusal waits for the
        // next scheduled sync instead of coming back at every check
        return intake.deleteAll(botId, removed).transform(gone -> insert(botId, added, 0)
            .compose(inserted -> store.sitemap(id, page.body().length, Hashes.sha256Hex(page.body()))
                .compose(recorded -> outcome(gone.failed() ? gone.cause() : null, inserted, added.size()))));
      }).onSuccess(v -> LOG.info("Sitemap {} of bot {}: {} pages", id, botId, urls.size()));
    });
  }

  /** The sync's end once recorded: the removal that failed, else the new pages left out, else done. */
  private static Future<Void> outcome(Throwable removalFailed, int inserted, int wanted) {
    if (removalFailed != null) {
      return Future.failedFuture(removalFailed);
    }
    return inserted == wanted ? Future.succeededFuture() : Future.failedFuture(new IngestionFailure("Only " + inserted
        + " of the sitemap's " + wanted + " new pages were added: the bot has no room for more documents "
        + "(rag.max_documents_per_bot, rag.max_bytes_per_bot); delete some and sync the sitemap again"));
  }

  /**
   * Adds the new pages {@value #INSERT_BATCH} to a transaction (one statement each was a write per page on a
   * 10,000-page site), queueing each batch once it is in, so the first pages are read while the rest are added; as
   * many as the bot's quotas leave room for, in the sitemap's order. How many were added.
   */
  private Future<Integer> insert(String botId, List<Map<String, Object>> pages, int from) {
    if (from >= pages.size()) {
      return Future.succeededFuture(pages.size());
    }
    List<Map<String, Object>> batch = pages.subList(from, Math.min(pages.size(), from + INSERT_BATCH));
    return store.insertRoom(quotas, botId, batch).compose(inserted -> {
      for (Map<String, Object> page : batch.subList(0, inserted)) {
        queue.enqueue((String) page.get("id"));
      }
      return inserted < batch.size() ? Future.succeededFuture(from + inserted) : insert(botId, pages, from + inserted);
    });
  }
}
