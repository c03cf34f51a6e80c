package dev.parley.rag;

/**
 * One piece of a document's structure: a heading ({@code level} 1–6) or a paragraph
 * ({@code level} 0, which includes list items, table rows and code blocks).
 */
record Block(int level, String text) {

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
