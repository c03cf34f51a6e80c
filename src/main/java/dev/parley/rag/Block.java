package dev.parley.rag;

import dev.parley.common.UnicodeText;

/**
 * One piece of a document's structure: a heading ({@code level} 1–6) or a paragraph
 * ({@code level} 0, which includes list items, table rows and code blocks).
 */
record Block(int level, String text) {

  /**
   * NUL is not text (PostgreSQL cannot store it, and request bodies refuse it); an extractor can still yield one (a
   * text file with one past the part checked for binary content, a PDF glyph without a character), so every block's
   * text holds U+FFFD in its place, as bad bytes get when decoded.
   */
  Block {
    text = UnicodeText.withoutNul(text);
  }

  static Block heading(int level, String text) {
    return new Block(Math.max(1, Math.min(6, level)), text);
  }

  static Block paragraph(String text) {
    return new Block(0, text);
  }

  boolean isHeading() {
    return level > 0;
  }
}
