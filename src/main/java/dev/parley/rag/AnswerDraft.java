package dev.parley.rag;

import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A stored answer as written: {@code question} (1–{@value #MAX_QUESTION} characters), {@code answer}
 * (1–{@value #MAX_ANSWER}) and {@code alt_questions} (up to {@value #MAX_ALTERNATIVES} more phrasings of the question,
 * each as long as a question; blanks and repeats dropped). A bad field is a 422 naming it ({@code where} prefixes
 * it for a CSV line).
 */
record AnswerDraft(String question, String answer, List<String> altQuestions) {

  static final int MAX_QUESTION = 500;
  static final int MAX_ANSWER = 8_000;
  static final int MAX_ALTERNATIVES = 20;
  private static final Set<String> FIELDS = Set.of("question", "answer", "alt_questions");

  /** From a JSON body; unknown fields are refused. */
  static AnswerDraft from(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw ParleyException.invalid(field, "Unknown field '" + field + "'");
      }
    }
    Object alternatives = body.getValue("alt_questions");
    List<String> alts = new ArrayList<>();
    if (alternatives instanceof JsonArray list) {
      for (Object item : list) {
        if (!(item instanceof String text)) {
          throw ParleyException.invalid("alt_questions", "'alt_questions' must be a list of strings");
        }
        alts.add(text);
      }
    } else if (alternatives != null) {
      throw ParleyException.invalid("alt_questions", "'alt_questions' must be a list of strings");
    }
    return of("", body.getValue("question"), body.getValue("answer"), alts);
  }

  /** Checked: {@code where} is put before the message ("line 3: "), the field named as is. */
  static AnswerDraft of(String where, Object question, Object answer, List<String> alternatives) {
    String q = text(where, "question", question, MAX_QUESTION);
    String a = text(where, "answer", answer, MAX_ANSWER);
    Set<String> seen = new LinkedHashSet<>();
    seen.add(q.toLowerCase(Locale.ROOT));
    List<String> alts = new ArrayList<>();
    for (String alternative : alternatives) {
      String alt = alternative == null ? "" : alternative.strip();
      if (alt.length() > MAX_QUESTION) {
        throw ParleyException.invalid("alt_questions", where + "each of 'alt_questions' must be at most "
            + MAX_QUESTION + " characters");
      }
      if (!alt.isEmpty() && seen.add(alt.toLowerCase(Locale.ROOT))) {
        alts.add(alt);
      }
    }
    if (alts.size() > MAX_ALTERNATIVES) {
      throw ParleyException.invalid("alt_questions", where + "'alt_questions' may hold at most " + MAX_ALTERNATIVES
          + " questions");
    }
    return new AnswerDraft(q, a, List.copyOf(alts));
  }

  private static String text(String where, String field, Object value, int max) {
    if (!(value instanceof String text) || text.isBlank()) {
      throw ParleyException.invalid(field, where + "'" + field + "' must be a non-blank string");
    }
    String stripped = text.strip();
    if (stripped.length() > max) {
      throw ParleyException.invalid(field, where + "'" + field + "' must be at most " + max + " characters");
    }
    if (stripped.chars().anyMatch(c -> c == 0)) {
      throw ParleyException.invalid(field, where + "'" + field + "' must not contain NUL characters");
    }
    return stripped;
  }

  /** The texts a visitor's message is compared with: the question, then its alternatives. */
  List<String> questions() {
    List<String> all = new ArrayList<>();
    all.add(question);
    all.addAll(altQuestions);
    return all;
  }

  JsonArray altJson() {
    return new JsonArray(new ArrayList<>(altQuestions));
  }
}
