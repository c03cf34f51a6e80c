package dev.parley.testing;

import dev.parley.common.CsvRecords;
import java.util.List;

/** Reads RFC 4180 CSV (quoted cells with commas, doubled quotes and line breaks; CRLF rows) as a test would check it. */
public final class CsvRows {

  private CsvRows() {
  }

  /** The rows of {@code text}, read by the server's own reader ({@link CsvRecords}, which evaluation uploads use). */
  public static List<List<String>> parse(String text) {
    return CsvRecords.parse(text);
  }
}
