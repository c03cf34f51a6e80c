package dev.parley.common;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads RFC 4180 CSV text: cells separated by commas, quoted cells with commas, doubled quotes and line breaks,
 * rows ending in CRLF or LF; a leading byte-order mark is skipped and blank lines are left out. A NUL character is
 * refused, as in JSON bodies (PostgreSQL cannot store it). Bounded by its caller's input (the request body limit).
 */
public final class CsvRecords {

  private CsvRecords() {
  }

  /** The rows of {@code text}; {@link IllegalArgumentException} for a quote left open or a NUL. */
  public static List<List<String>> parse(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    int start = text.startsWith("\uFEFF") ? 1 : 0;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\u0000') {
        throw new IllegalArgumentException("Row " + (rows.size() + 1) + " holds a NUL character (U+0000)");
      }
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        any = true;
      } else if (c == ',') {
        row.add(cell.toString());
        cell.setLength(0);
        any = true;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        end(rows, row, cell, any);
        row = new ArrayList<>();
        any = false;
      } else {
        cell.append(c);
        any = true;
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("A quoted cell is not closed (a '\"' is missing)");
    }
    end(rows, row, cell, any);
    return rows;
  }

  private static void end(List<List<String>> rows, List<String> row, StringBuilder cell, boolean any) {
    if (any || !row.isEmpty()) {
      row.add(cell.toString());
      rows.add(row);
    }
    cell.setLength(0);
  }
}
