package dev.parley.provider;

import dev.parley.common.AnswerSentences;
import dev.parley.common.Citations;
import dev.parley.common.Fields;
import dev.parley.common.Passage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code extractive} provider: no model and no key. It answers with the sentences of the best
 * passages the knowledge base found for the turn (the request's {@code context}, best first, as retrieval
 * put them there) that answer the visitor's message ({@link AnswerSentences}: a short cap, in reading order),
 * naming the document each comes from as far as the bot's citation mode shows sources ({@link Citations}: none,
 * the name, or the name and heading), or with the bot's {@code fallback_text} when retrieval found nothing
 * relevant enough (the bot's {@code min_score}). So a fresh install works end to
 * end offline. Streaming sends the same answer a few words at a time. Usage is zero tokens.
 */
final class ExtractiveProvider implements ModelProvider {

  static final String NAME = "extractive";
  static final String DEFAULT_FALLBACK = "Sorry, I could not find anything about that in my knowledge base.";
  private static final int WORDS_PER_DELTA = 6;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String displayName() {
    return "Extractive (knowledge base only)";
  }

  @Override
  public boolean requiresApiKey() {
    return false;
  }

  @Override
  public Future<Completion> complete(ModelCall call, Meter meter) {
    return Future.succeededFuture(new Completion(answer(call), "stop"));
  }

  /** No model, nothing spent: the meter is left untouched. */
  @Override
  public Future<Completion> stream(ModelCall call, Consumer<String> onDelta, Meter meter) {
    String answer = answer(call);
    String[] words = answer.split("(?<=\\s)");
    StringBuilder piece = new StringBuilder();
    int count = 0;
    for (String word : words) {
      piece.append(word);
      if (++count % WORDS_PER_DELTA == 0) {
        onDelta.accept(piece.toString());
        piece.setLength(0);
      }
    }
    if (piece.length() > 0) {
      onDelta.accept(piece.toString());
    }
    return Future.succeededFuture(new Completion(answer, "stop"));
  }

  static String answer(ModelCall call) {
    JsonObject request = call.request() == null ? new JsonObject() : call.request();
    JsonArray context = request.getValue(Fields.CONTEXT) instanceof JsonArray a ? a : new JsonArray();
    JsonObject bot = request.getValue(Fields.BOT) instanceof JsonObject b ? b : new JsonObject();
    Citations citations = Citations.of(bot.getValue(Fields.CITATIONS));
    List<Passage> passages = new ArrayList<>();
    for (Object item : context) {
      if (item instanceof JsonObject json) {
        Passage p = Passage.from(json);
        String text = p.text() != null ? p.text() : p.snippet();
        if (text != null && !text.isBlank()) {
          passages.add(p);
        }
      }
    }
    if (passages.isEmpty()) {
      Object fallback = bot.getValue(Fields.FALLBACK_TEXT);
      return fallback instanceof String s && !s.isBlank() ? s : DEFAULT_FALLBACK;
    }
    List<AnswerSentences.Sentence> sentences = AnswerSentences.pick(question(request), passages);
    StringBuilder answer = new StringBuilder();
    if (sentences.isEmpty()) { // nothing in common with the question's words: the best passage as it is
      Passage best = passages.get(0);
      answer.append((best.text() != null ? best.text() : best.snippet()).strip());
      cite(answer, best, citations);
      return answer.toString();
    }
    for (int i = 0; i < sentences.size(); i++) {
      AnswerSentences.Sentence s = sentences.get(i);
      if (i > 0) {
        answer.append(sentences.get(i - 1).passage() == s.passage() ? " " : "\n\n");
      }
      answer.append(s.text());
      if (i == sentences.size() - 1 || sentences.get(i + 1).passage() != s.passage()) {
        cite(answer, passages.get(s.passage()), citations);
      }
    }
    return answer.toString();
  }

  /** The source line of a passage, naming no more than the bot's citation mode shows its visitors. */
  private static void cite(StringBuilder answer, Passage passage, Citations citations) {
    String source = citations == Citations.NONE ? "" : passage.documentName();
    String heading = citations == Citations.SNIPPETS ? passage.heading() : "";
    if (heading != null && !heading.isBlank()) {
      source = source == null || source.isBlank() ? heading : source + " › " + heading;
    }
    if (source != null && !source.isBlank()) {
      answer.append("\n(Source: ").append(source).append(")");
    }
  }

  /** The visitor's message: the last user message of the request. */
  private static String question(JsonObject request) {
    JsonArray messages = request.getValue(Fields.MESSAGES) instanceof JsonArray m ? m : new JsonArray();
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.getValue(i) instanceof JsonObject message && "user".equals(message.getValue(Fields.ROLE))
          && message.getValue(Fields.CONTENT) instanceof String content) {
        return content;
      }
    }
    return "";
  }
}
