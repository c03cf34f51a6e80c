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
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A URL that turned out to be a sitemap: each listed page (through one level of sitemap index,
 * at most {@code max_sitemap_pages}) becomes a child document, fetched and checked like any URL;
 * pages no longer listed are removed, the others synced (re-embedded only if they changed).
 */
final class SitemapIngestion {

  private static final Logger LOG = LoggerFactory.getLogger(SitemapIngestion.class);

  private final DocumentStore store;
  private final UrlFetcher fetcher;
  private final WorkerExecutor workers;
  private final IngestionQueue queue;
  private final DocumentIntake intake;
  private final int maxPages;
  private final int maxFiles;

  SitemapIngestion(DocumentStore store, UrlFetcher fetcher, WorkerExecutor workers, IngestionQueue queue,
      DocumentIntake intake, KnowledgeSettings settings) {
    this.store = store;
    this.fetcher = fetcher;
    this.workers = workers;
    this.queue = queue;
    this.intake = intake;
    this.maxPages = settings.maxSitemapPages();
    this.maxFiles = settings.maxSitemapFiles();
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
        List<Future<?>> steps = new ArrayList<>();
        Set<String> known = new HashSet<>();
        for (Object c : children) {
          JsonObject child = (JsonObject) c;
          if (urls.contains(child.getString("url"))) {
            known.add(child.getString("url"));
            queue.enqueue(child.getString("id"));
          } else {
            steps.add(intake.delete(botId, child.getString("id")));
          }
        }
        long now = System.currentTimeMillis();
        for (String url : urls) {
          if (known.contains(url)) {
            continue;
          }
          String pageId = Ids.prefixed("doc");
          steps.add(store.insert(DocumentRows.url(pageId, botId, now, URI.create(url), null, id))
              .onSuccess(added -> queue.enqueue(pageId)));
        }
        return Future.all(new ArrayList<>(steps));
      }).compose(v -> store.sitemap(id, page.body().length,
          Hashes.sha256Hex(page.body())))
          .onSuccess(v -> LOG.info("Sitemap {} of bot {}: {} pages", id, botId, urls.size()));
    });
  }
}
