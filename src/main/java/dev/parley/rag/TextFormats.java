package dev.parley.rag;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/** Plain text, Markdown and HTML as {@link Block}s: headings, and paragraphs with their markup removed. */
final class TextFormats {

  // Patterns on document lines must not backtrack: a lazy group before optional spaces and hashes took
  // minutes on "# a" followed by 5,000 spaces. DOTALL so that '.' never stops early at U+2028 or \r.
  private static final Pattern MD_HEADING = Pattern.compile("^(#{1,6})\\s+(.*)$", Pattern.DOTALL);
  private static final Pattern LIST_ITEM = Pattern.compile("([-*+]|\\d+[.)])\\s");
  private static final Pattern SETEXT = Pattern.compile("^(=+|-+)\\s*$");

  private TextFormats() {
  }

  /** Paragraphs are separated by blank lines. */
  static List<Block> plain(String text) {
    List<Block> blocks = new ArrayList<>();
    for (String para : text.replace("\r\n", "\n").split("\n\\s*\n")) {
      String clean = para.strip().replace('\n', ' ').replaceAll("[ \\t]+", " ");
      if (!clean.isEmpty()) {
        blocks.add(Block.paragraph(clean));
      }
    }
    return blocks;
  }

  /** ATX ({@code # Title}) and setext headings; other lines gather into paragraphs. */
  static List<Block> markdown(String text) {
    List<Block> blocks = new ArrayList<>();
    String[] lines = text.replace("\r\n", "\n").split("\n", -1);
    StringBuilder para = new StringBuilder();
    boolean fence = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
        fence = !fence;
        continue;
      }
      Matcher heading = fence ? null : MD_HEADING.matcher(line);
      if (heading != null && heading.matches()) {
        flush(blocks, para);
        blocks.add(Block.heading(heading.group(1).length(), inline(withoutClosingHashes(heading.group(2)))));
      } else if (!fence && i + 1 < lines.length && !line.isBlank() && para.length() == 0
          && SETEXT.matcher(lines[i + 1]).matches() && lines[i + 1].strip().length() >= 2) {
        blocks.add(Block.heading(lines[i + 1].strip().charAt(0) == '=' ? 1 : 2, inline(line.strip())));
        i++;
      } else if (line.isBlank()) {
        flush(blocks, para);
      } else if (!fence && LIST_ITEM.matcher(line.stripLeading()).lookingAt() && para.length() > 0) {
        flush(blocks, para);
        para.append(inline(line.strip()));
      } else {
        if (para.length() > 0) {
          para.append(' ');
        }
        para.append(fence ? line.strip() : inline(line.strip()));
      }
    }
    flush(blocks, para);
    return blocks;
  }

  private static String inline(String text) {
    return links(text)
        .replaceAll("(\\*\\*|__|`)", "")
        .replaceAll("^>\\s*", "");
  }

  /** A heading's text without trailing spaces and closing hashes ({@code Title ##} → {@code Title}). */
  private static String withoutClosingHashes(String text) {
    int end = text.length();
    while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    while (end > 0 && text.charAt(end - 1) == '#') {
      end--;
    }
    while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }

  /**
   * {@code [label](url)} and {@code ![label](url)} as their label, in one pass: the next ']' and ')'
   * are remembered, so unclosed brackets do not make every '[' search to the end of the line again.
   */
  static String links(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int n = text.length();
    int close = -1;
    int paren = -1;
    int copied = 0;
    for (int i = 0; i < n; i++) {
      if (text.charAt(i) != '[') {
        continue;
      }
      if (close <= i) {
        close = text.indexOf(']', i + 1);
        if (close < 0) {
          break;
        }
      }
      if (close + 1 >= n || text.charAt(close + 1) != '(') {
        continue;
      }
      if (paren < close + 2) {
        paren = text.indexOf(')', close + 2);
        if (paren < 0) {
          break;
        }
      }
      int start = i > copied && text.charAt(i - 1) == '!' ? i - 1 : i;
      out.append(text, copied, start).append(text, i + 1, close);
      i = paren;
      copied = paren + 1;
    }
    return out.append(text, copied, n).toString();
  }

  private static void flush(List<Block> blocks, StringBuilder para) {
    String text = para.toString().strip();
    if (!text.isEmpty()) {
      blocks.add(Block.paragraph(text));
    }
    para.setLength(0);
  }

  /** Headings and block elements of the body; scripts, styles, navigation and forms are left out. */
  static List<Block> html(String html) {
    Document doc = Jsoup.parse(html);
    doc.select("script, style, noscript, template, nav, header > nav, footer, form, svg, iframe").remove();
    List<Block> blocks = new ArrayList<>();
    String title = doc.title();
    Element body = doc.body();
    if (body == null) {
      return blocks;
    }
    if (!title.isBlank() && body.selectFirst("h1") == null) {
      blocks.add(Block.heading(1, title.strip()));
    }
    for (Element el : body.select("h1, h2, h3, h4, h5, h6, p, li, pre, blockquote, td, th, dt, dd, figcaption")) {
      String tag = el.normalName();
      if (el.parents().is("p, li, pre, blockquote, td, th, dd")) {
        continue; // part of an enclosing block, which is taken whole
      }
      String text = el.text().strip();
      if (text.isEmpty()) {
        continue;
      }
      if (tag.length() == 2 && tag.charAt(0) == 'h' && Character.isDigit(tag.charAt(1))) {
        blocks.add(Block.heading(tag.charAt(1) - '0', text));
      } else {
        blocks.add(Block.paragraph(text));
      }
    }
    if (blocks.stream().noneMatch(b -> !b.isHeading())) {
      blocks.addAll(plain(body.wholeText()));
    }
    return blocks;
  }
}
