package dev.parley.chat;

import dev.parley.common.CsvRecords;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * The questions of an evaluation, from JSON ({@code [{question, expected_document?, expected_answer_contains?,
 * answerable?}]}, or that list as {@code {questions: […]}}) or CSV (a header row naming the columns {@code question},
 * {@code expected_document}, {@code expected_answer_contains}, {@code answerable}, in any order; others are ignored),
 * checked whole before anything runs: 1 to {@value #MAX_QUESTIONS} questions, each a non-empty text of at most
 * {@value #MAX_QUESTION_CHARS} characters, expectations of at most {@value #MAX_EXPECTED_CHARS}, {@code answerable}
 * true or false (CSV: true/false, yes/no, 1/0; empty means true). A question marked unanswerable has no expectations.
 */
public final class EvaluationQuestions {

  public static final int MAX_QUESTIONS = 500;
  public static final int MAX_QUESTION_CHARS = 2_000;
  public static final int MAX_EXPECTED_CHARS = 500;

  static final String QUESTION = "question";
  static final String EXPECTED_DOCUMENT = "expected_document";
  static final String EXPECTED_CONTAINS = "expected_answer_contains";
  static final String ANSWERABLE = "answerable";

  private EvaluationQuestions() {
  }

  /** The questions of a JSON body (a list, or an object with {@code questions}); 422 for anything else. */
  public static JsonArray fromJson(Object body) {
    Object list = body instanceof JsonObject object ? object.getValue("questions") : body;
    if (!(list instanceof JsonArray items)) {
      throw ParleyException.invalid("questions", "The body must be a list of questions or {\"questions\": [...]}");
    }
    size(items.size());
    JsonArray questions = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      if (!(items.getValue(i) instanceof JsonObject item)) {
        throw ParleyException.invalid(field(i, QUESTION), "Each question must be an object with 'question'");
      }
      Object answerable = item.getValue(ANSWERABLE, true);
      if (!(answerable instanceof Boolean flag)) {
        throw ParleyException.invalid(field(i, ANSWERABLE), "'" + ANSWERABLE + "' must be true or false");
      }
      questions.add(question(i, item.getValue(QUESTION), item.getValue(EXPECTED_DOCUMENT),
          item.getValue(EXPECTED_CONTAINS), flag));
    }
    return questions;
  }

  /** The questions of CSV text with a header row; 422 for a missing {@code question} column or a bad row. */
  public static JsonArray fromCsv(String text) {
    List<List<String>> rows;
    try {
      rows = CsvRecords.parse(text);
    } catch (IllegalArgumentException bad) {
      throw ParleyException.invalid("questions", "The CSV cannot be read: " + bad.getMessage());
    }
    if (rows.isEmpty()) {
      throw ParleyException.invalid("questions", "The CSV has no header row");
    }
    List<String> header = rows.get(0).stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
    int question = header.indexOf(QUESTION);
    if (question < 0) {
      throw ParleyException.invalid("questions", "The CSV's header row must name a 'question' column");
    }
    size(rows.size() - 1);
    JsonArray questions = new JsonArray();
    for (int r = 1; r < rows.size(); r++) {
      List<String> row = rows.get(r);
      int i = r - 1;
      String answerable = cell(row, header.indexOf(ANSWERABLE));
      questions.add(question(i, cell(row, question), blankToNull(cell(row, header.indexOf(EXPECTED_DOCUMENT))),
          blankToNull(cell(row, header.indexOf(EXPECTED_CONTAINS))), flag(i, answerable)));
    }
    return questions;
  }

  private static void size(int count) {
    if (count < 1 || count > MAX_QUESTIONS) {
      throw ParleyException.invalid("questions", "An evaluation has 1 to " + MAX_QUESTIONS + " questions, not " + count);
    }
  }

  private static JsonObject question(int i, Object text, Object document, Object contains, boolean answerable) {
    if (!(text instanceof String question) || question.isBlank() || question.length() > MAX_QUESTION_CHARS
        || question.indexOf('\u0000') >= 0) {
      throw ParleyException.invalid(field(i, QUESTION), "Question " + (i + 1) + " must be a non-empty text of at most "
          + MAX_QUESTION_CHARS + " characters");
    }
    String expectedDocument = expected(i, EXPECTED_DOCUMENT, document);
    String expectedContains = expected(i, EXPECTED_CONTAINS, contains);
    if (!answerable && (expectedDocument != null || expectedContains != null)) {
      throw ParleyException.invalid(field(i, ANSWERABLE), "Question " + (i + 1)
          + " is marked unanswerable: it cannot expect a document or an answer");
    }
    return new JsonObject().put(QUESTION, question.strip()).put(EXPECTED_DOCUMENT, expectedDocument)
        .put(EXPECTED_CONTAINS, expectedContains).put(ANSWERABLE, answerable);
  }

  private static String expected(int i, String name, Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || text.length() > MAX_EXPECTED_CHARS) {
      throw ParleyException.invalid(field(i, name), "'" + name + "' of question " + (i + 1) + " must be a text of at most "
          + MAX_EXPECTED_CHARS + " characters");
    }
    return text.isBlank() ? null : text.strip();
  }

  private static boolean flag(int i, String value) {
    String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "", "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw ParleyException.invalid(field(i, ANSWERABLE), "'" + ANSWERABLE + "' of question " + (i + 1)
          + " must be true or false");
    };
  }

  private static String cell(List<String> row, int index) {
    return index < 0 || index >= row.size() ? null : row.get(index);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static String field(int i, String name) {
    return "questions[" + i + "]." + name;
  }
}
