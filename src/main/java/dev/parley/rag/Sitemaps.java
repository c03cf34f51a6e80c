package dev.parley.rag;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;

/**
 * Reads sitemaps (sitemaps.org): a {@code <urlset>} lists pages, a {@code <sitemapindex>} lists
 * further sitemaps. Parsed with jsoup's XML parser, which resolves no external entities.
 * Compressed ({@code .xml.gz}) sitemaps are not read. Blocking: call from a worker thread.
 */
final class Sitemaps {

  /** What a sitemap lists: pages, or (for an index) other sitemaps. */
  record Listing(List<String> pages, List<String> sitemaps) {
  }

  private Sitemaps() {
  }

  /** The sitemap's listing, or null when the page is not a sitemap. */
  static Listing parse(UrlFetcher.Page page) {
    String type = page.contentType() == null ? "" : page.contentType().toLowerCase(Locale.ROOT);
    String head = new String(page.body(), 0, Math.min(page.body().length, 512), StandardCharsets.UTF_8).stripLeading();
    boolean looksXml = type.contains("xml") || head.startsWith("<?xml") || head.startsWith("<urlset")
        || head.startsWith("<sitemapindex");
    if (!looksXml || type.contains("html")) {
      return null;
    }
    Document xml = Jsoup.parse(new String(page.body(), StandardCharsets.UTF_8), "", Parser.xmlParser());
    Element root = xml.children().stream().filter(e -> !e.tagName().startsWith("?")).findFirst().orElse(null);
    if (root == null) {
      return null;
    }
    String name = root.tagName().toLowerCase(Locale.ROOT).replaceFirst("^.*:", "");
    if (name.equals("urlset")) {
      return new Listing(locs(root, "url"), List.of());
    }
    if (name.equals("sitemapindex")) {
      return new Listing(List.of(), locs(root, "sitemap"));
    }
    return null;
  }

  private static List<String> locs(Element root, String entry) {
    return root.children().stream()
        .filter(e -> e.tagName().toLowerCase(Locale.ROOT).replaceFirst("^.*:", "").equals(entry))
        .flatMap(e -> e.children().stream())
        .filter(e -> e.tagName().toLowerCase(Locale.ROOT).replaceFirst("^.*:", "").equals("loc"))
        .map(e -> e.text().strip())
        .filter(s -> !s.isEmpty())
        .distinct()
        .toList();
  }
}
