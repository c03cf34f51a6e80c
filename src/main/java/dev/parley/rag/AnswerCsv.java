package dev.parley.rag;

import dev.parley.common.CsvRecords;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Stored answers as CSV (RFC 4180, CRLF, UTF-8): a header {@code question,answer,alt_questions}, one answer a row,
 * the alternative questions in one cell separated by {@code " | "}. On export a cell starting with {@code = + - @}, a
 * tab or a carriage return gets a {@code '} before it (so a spreadsheet does not run it as a formula); on import that
 * {@code '} is taken off again, so an export imports as it was. Import reads the header to find the columns (in any
 * order; others, such as {@code id}, are ignored); {@code question} and {@code answer} must be there.
 */
final class AnswerCsv {

  static final String SEPARATOR = " | ";
  private static final String FORMULA_STARTS = "=+-@\t\r";

  private AnswerCsv() {
  }

  static String write(JsonArray answers) {
    StringBuilder out = new StringBuilder("question,answer,alt_questions\r\n");
    for (Object item : answers) {
      JsonObject answer = (JsonObject) item;
      List<String> alts = new ArrayList<>();
      answer.getJsonArray("alt_questions", new JsonArray()).forEach(alt -> alts.add((String) alt));
      out.append(cell(answer.getString("question"))).append(',').append(cell(answer.getString("answer"))).append(',')
          .append(cell(String.join(SEPARATOR, alts))).append("\r\n");
    }
    return out.toString();
  }

  /** The answers of a CSV text, checked; a bad row is a 422 naming its line. */
  static List<AnswerDraft> read(String text) {
    List<List<String>> rows;
    try {
      rows = CsvRecords.parse(text);
    } catch (IllegalArgumentException e) {
      throw ParleyException.invalid("csv", "The CSV cannot be read: " + e.getMessage());
    }
    if (rows.isEmpty()) {
      throw ParleyException.invalid("csv", "The CSV is empty: send a header 'question,answer,alt_questions' and rows");
    }
    List<String> header = rows.get(0).stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
    int question = header.indexOf("question");
    int answer = header.indexOf("answer");
    int alts = header.indexOf("alt_questions");
    if (question < 0 || answer < 0) {
      throw ParleyException.invalid("csv", "The CSV header must name the columns 'question' and 'answer'");
    }
    List<AnswerDraft> drafts = new ArrayList<>();
    for (int i = 1; i < rows.size(); i++) {
      List<String> row = rows.get(i);
      if (row.stream().allMatch(String::isBlank)) {
        continue;
      }
      String where = "row " + (i + 1) + ": ";
      List<String> alternatives = alts < 0 || alts >= row.size() || row.get(alts).isBlank() ? List.of()
          : Arrays.asList(unguard(row.get(alts)).split("\\s*\\|\\s*"));
      drafts.add(AnswerDraft.of(where, question < row.size() ? unguard(row.get(question)) : null,
          answer < row.size() ? unguard(row.get(answer)) : null, alternatives));
    }
    return drafts;
  }

  private static String cell(String value) {
    String text = value == null ? "" : value;
    if (!text.isEmpty() && FORMULA_STARTS.indexOf(text.charAt(0)) >= 0) {
      text = "'" + text;
    }
    if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0
        || text.startsWith(" ") || text.endsWith(" ") || text.startsWith("'")) {
      return '"' + text.replace("\"", "\"\"") + '"';
    }
    return text;
  }

  private static String unguard(String cell) {
    return cell.length() > 1 && cell.charAt(0) == '\'' && FORMULA_STARTS.indexOf(cell.charAt(1)) >= 0
        ? cell.substring(1) : cell;
  }
}
