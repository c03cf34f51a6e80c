package dev.parley.rag;

import dev.parley.common.UnicodeText;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a document's {@link Block}s into chunks that respect its structure: a chunk never
 * spans two sections (a heading starts a new one), paragraphs are kept whole when they fit,
 * long paragraphs are cut between sentences, and an over-long sentence between words. Each
 * chunk after the first of a section repeats the last sentences of the one before, up to
 * {@code overlapChars}. Each chunk keeps its position and its heading path
 * ({@code Billing › Refunds}).
 */
final class Chunker {

  /** One chunk: its position in the document (from 0), its heading path (may be empty) and text. */
  record Chunk(int position, String heading, String text) {

    /** What is embedded and indexed: the heading path gives the passage its context. */
    String indexedText() {
      return heading.isEmpty() ? text : heading + "\n" + text;
    }
  }

  static final String HEADING_SEPARATOR = " › ";

  private final int maxChars;
  private final int overlapChars;

  Chunker(int maxChars, int overlapChars) {
    if (maxChars < 100) {
      throw new IllegalArgumentException("chunk size must be at least 100 characters");
    }
    this.maxChars = maxChars;
    this.overlapChars = Math.max(0, Math.min(overlapChars, maxChars / 2));
  }

  List<Chunk> chunk(List<Block> blocks) {
    List<Chunk> chunks = new ArrayList<>();
    String[] path = new String[7];
    List<String> section = new ArrayList<>();
    String heading = "";
    for (Block block : blocks) {
      if (block.isHeading()) {
        emitSection(chunks, heading, section);
        path[block.level()] = block.text();
        for (int i = block.level() + 1; i < path.length; i++) {
          path[i] = null;
        }
        heading = headingPath(path);
      } else if (!block.text().isBlank()) {
        section.add(block.text().strip());
      }
    }
    emitSection(chunks, heading, section);
    return chunks;
  }

  private static String headingPath(String[] path) {
    List<String> parts = new ArrayList<>();
    for (String p : path) {
      if (p != null && !p.isBlank()) {
        parts.add(p.strip());
      }
    }
    return String.join(HEADING_SEPARATOR, parts);
  }

  private void emitSection(List<Chunk> chunks, String heading, List<String> paragraphs) {
    if (paragraphs.isEmpty()) {
      return;
    }
    StringBuilder current = new StringBuilder();
    for (String paragraph : paragraphs) {
      List<String> units = paragraph.length() <= maxChars ? List.of(paragraph) : sentences(paragraph);
      boolean firstUnit = true;
      for (String unit : units) {
        for (String piece : unit.length() <= maxChars ? List.of(unit) : words(unit)) {
          String separator = current.length() == 0 ? "" : firstUnit ? "\n\n" : " ";
          if (current.length() + separator.length() + piece.length() > maxChars && current.length() > 0) {
            String done = current.toString();
            chunks.add(new Chunk(chunks.size(), heading, done));
            current.setLength(0);
            String tail = overlap(done);
            if (!tail.isEmpty() && tail.length() + 1 + piece.length() <= maxChars) {
              current.append(tail);
            }
            separator = current.length() == 0 ? "" : " ";
          }
          current.append(separator).append(piece);
          firstUnit = false;
        }
      }
    }
    if (current.length() > 0) {
      chunks.add(new Chunk(chunks.size(), heading, current.toString()));
    }
    paragraphs.clear();
  }

  /** The last whole sentences of {@code text} that fit in the overlap. */
  private String overlap(String text) {
    if (overlapChars == 0) {
      return "";
    }
    List<String> sentences = sentences(text);
    StringBuilder tail = new StringBuilder();
    for (int i = sentences.size() - 1; i > 0; i--) {
      String s = sentences.get(i);
      if (tail.length() + s.length() + 1 > overlapChars) {
        break;
      }
      tail.insert(0, tail.length() == 0 ? s : s + " ");
    }
    return tail.toString();
  }

  static List<String> sentences(String text) {
    BreakIterator it = BreakIterator.getSentenceInstance(Locale.ROOT);
    it.setText(text);
    List<String> out = new ArrayList<>();
    int start = it.first();
    for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      String s = text.substring(start, end).strip();
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private List<String> words(String sentence) {
    List<String> out = new ArrayList<>();
    StringBuilder piece = new StringBuilder();
    for (String word : sentence.split("\\s+")) {
      if (word.length() > maxChars) {
        if (piece.length() > 0) {
          out.add(piece.toString());
          piece.setLength(0);
        }
        // cut by index (cutting the rest off again each time copied a long word once per piece), between code points
        int from = 0;
        while (word.length() - from > maxChars) {
          int cut = from + UnicodeText.cutAt(word.substring(from, from + maxChars + 1), maxChars);
          out.add(word.substring(from, cut));
          from = cut;
        }
        word = word.substring(from);
      }
      if (piece.length() + 1 + word.length() > maxChars && piece.length() > 0) {
        out.add(piece.toString());
        piece.setLength(0);
      }
      if (piece.length() > 0) {
        piece.append(' ');
      }
      piece.append(word);
    }
    if (piece.length() > 0) {
      out.add(piece.toString());
    }
    return out;
  }
}
