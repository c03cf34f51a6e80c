package dev.parley.rag;

import dev.parley.common.UrlSpelling;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;
import org.jsoup.parser.StreamParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads sitemaps (sitemaps.org): a {@code <urlset>} lists pages, a {@code <sitemapindex>} lists
 * further sitemaps. Parsed as a stream with jsoup's XML parser, which resolves no external
 * entities: each entry is dropped once read and reading stops at the limit, so a sitemap of
 * millions of entries or absurd nesting costs no more memory than its (capped) bytes. Compressed
 * ({@code .xml.gz}) sitemaps are not read. {@link #parse} blocks: call it from a worker thread.
 */
final class Sitemaps {

  /** What a sitemap lists: pages, or (for an index) other sitemaps. */
  record Listing(List<String> pages, List<String> sitemaps) {
  }

  /** The most entries one sitemap file may hold (sitemaps.org); more are not read. */
  static final int MAX_ENTRIES = 50_000;

  private static final Logger LOG = LoggerFactory.getLogger(Sitemaps.class);

  private Sitemaps() {
  }

  /** The sitemap's listing (at most {@link #MAX_ENTRIES} of each kind), or null when the page is not a sitemap. */
  static Listing parse(UrlFetcher.Page page) {
    return parse(page, MAX_ENTRIES);
  }

  /** The sitemap's listing, reading at most {@code limit} distinct entries, or null when the page is not a sitemap. */
  static Listing parse(UrlFetcher.Page page, int limit) {
    if (!mayBe(page)) {
      return null;
    }
    Set<String> pages = new LinkedHashSet<>();
    Set<String> sitemaps = new LinkedHashSet<>();
    String rootName = null;
    try (StreamParser parser = new StreamParser(Parser.xmlParser()).parse(
        new InputStreamReader(new ByteArrayInputStream(page.body()), StandardCharsets.UTF_8), "")) {
      Iterator<Element> elements = parser.iterator();
      while (elements.hasNext() && pages.size() < limit && sitemaps.size() < limit) {
        Element element = elements.next();
        if (rootName == null) {
          Element root = element;
          while (root.parent() != null && !(root.parent() instanceof Document)) {
            root = root.parent();
          }
          rootName = local(root);
          if (!rootName.equals("urlset") && !rootName.equals("sitemapindex")) {
            return null;
          }
        }
        Element entry = element.parent();
        if (local(element).equals("loc") && entry != null && entry.parent() != null
            && entry.parent().parent() instanceof Document) {
          String loc = element.text().strip();
          if (!loc.isEmpty() && rootName.equals("urlset") && local(entry).equals("url")) {
            pages.add(loc);
          } else if (!loc.isEmpty() && rootName.equals("sitemapindex") && local(entry).equals("sitemap")) {
            sitemaps.add(loc);
          }
        }
        if (element.parent() != null && !(element.parent() instanceof Document)) {
          element.remove(); // read: keep the tree as small as the element being read
        }
      }
    }
    return rootName == null ? null : new Listing(List.copyOf(pages), List.copyOf(sitemaps));
  }

  /**
   * Whether the page may be a sitemap: XML by its type or its first bytes, and not HTML. Cheap (no parsing): a page
   * that is not one needs no worker thread to find out.
   */
  static boolean mayBe(UrlFetcher.Page page) {
    String type = page.contentType() == null ? "" : page.contentType().toLowerCase(Locale.ROOT);
    if (type.contains("html")) {
      return false;
    }
    String head = new String(page.body(), 0, Math.min(page.body().length, 512), StandardCharsets.UTF_8).stripLeading();
    return type.contains("xml") || head.startsWith("<?xml") || head.startsWith("<urlset")
        || head.startsWith("<sitemapindex");
  }

  /**
   * The pages a sitemap leads to, at most {@code maxPages}: those it lists, then, for an index, those
   * of its sitemaps, at most {@code maxFiles} of them, fetched one at a time (each like any URL, SSRF
   * checks and limits included) and only while pages are missing. An index inside an index is not
   * followed; a sitemap that cannot be read is skipped with a warning. URLs are made absolute against
   * the sitemap that lists them.
   */
  static Future<Set<String>> pages(UrlFetcher fetcher, WorkerExecutor workers, UrlFetcher.Page page, Listing listing,
      int maxPages, int maxFiles) {
    Set<String> urls = new LinkedHashSet<>();
    add(urls, page.url(), listing.pages(), maxPages);
    List<String> children = new ArrayList<>();
    add(children, page.url(), listing.sitemaps(), maxFiles);
    return next(fetcher, workers, children, 0, urls, maxPages).map(v -> urls);
  }

  private static Future<Void> next(UrlFetcher fetcher, WorkerExecutor workers, List<String> children, int index,
      Set<String> urls, int maxPages) {
    if (index >= children.size() || urls.size() >= maxPages) {
      return Future.succeededFuture();
    }
    String child = children.get(index);
    return fetcher.fetch(child)
        .compose(fetched -> workers.executeBlocking(() -> parse(fetched, maxPages), false).map(inner -> {
          if (inner != null) {
            add(urls, fetched.url(), inner.pages(), maxPages);
          }
          return (Void) null;
        }))
        .recover(failure -> {
          LOG.warn("Sitemap {} could not be read: {}", child, failure.getMessage());
          return Future.succeededFuture();
        })
        .compose(v -> next(fetcher, workers, children, index + 1, urls, maxPages));
  }

  /** Adds the URLs made absolute against {@code base}, up to {@code max}; malformed ones are skipped. */
  private static void add(java.util.Collection<String> into, String base, List<String> locs, int max) {
    for (String loc : locs) {
      if (into.size() >= max) {
        return;
      }
      String absolute;
      try {
        absolute = base == null ? loc : URI.create(base).resolve(loc.strip()).toString();
      } catch (IllegalArgumentException malformed) {
        LOG.debug("A sitemap lists a malformed URL");
        continue;
      }
      try {
        absolute = UrlSpelling.parse(absolute).toString();
      } catch (ParleyException refused) {
        if (!"url_not_allowed".equals(refused.code())) {
          LOG.debug("A sitemap lists a URL Parley does not fetch");
          continue;
        }
        // kept: the page's document shows why it is refused
      }
      if (!into.contains(absolute)) {
        into.add(absolute);
      }
    }
  }

  private static String local(Element element) {
    return element.tagName().toLowerCase(Locale.ROOT).replaceFirst("^.*:", "");
  }
}
