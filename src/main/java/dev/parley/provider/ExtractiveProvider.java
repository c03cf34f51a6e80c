package dev.parley.provider;

import dev.parley.common.Citations;
import dev.parley.common.Fields;
import dev.parley.common.Passage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * The {@code extractive} provider: no model and no key. It answers with the best passages the
 * knowledge base found for the turn (the request's {@code context}, best first, as retrieval
 * put them there), naming the document each comes from as far as the bot's citation mode shows
 * sources ({@link Citations}: none, the name, or the name and heading), or with the bot's {@code fallback_text}
 * when retrieval found nothing above the bot's {@code min_score}. So a fresh install works end to
 * end offline. Streaming sends the same answer a few words at a time. Usage is zero tokens.
 */
final class ExtractiveProvider implements ModelProvider {

  static final String NAME = "extractive";
  static final String DEFAULT_FALLBACK = "Sorry, I could not find anything about that in my knowledge base.";
  /** How many passages an answer quotes. */
  private static final int MAX_PASSAGES = 2;
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
    if (context.isEmpty()) {
      Object fallback = bot.getValue(Fields.FALLBACK_TEXT);
      return fallback instanceof String s && !s.isBlank() ? s : DEFAULT_FALLBACK;
    }
    StringBuilder answer = new StringBuilder();
    int used = 0;
    for (int i = 0; i < context.size() && used < MAX_PASSAGES; i++) {
      if (!(context.getValue(i) instanceof JsonObject passage)) {
        continue;
      }
      String text = passage.getString(Passage.TEXT, passage.getString(Passage.SNIPPET, ""));
      if (text == null || text.isBlank()) {
        continue;
      }
      if (used > 0) {
        answer.append("\n\n");
      }
      answer.append(text.strip());
      // the source line names no more than the bot's citation mode shows its visitors
      String source = citations == Citations.NONE ? "" : passage.getString(Passage.DOCUMENT_NAME, "");
      String heading = citations == Citations.SNIPPETS ? passage.getString(Passage.HEADING, "") : "";
      if (heading != null && !heading.isBlank()) {
        source = source == null || source.isBlank() ? heading : source + " › " + heading;
      }
      if (source != null && !source.isBlank()) {
        answer.append("\n(Source: ").append(source).append(")");
      }
      used++;
    }
    return answer.length() == 0 ? DEFAULT_FALLBACK : answer.toString();
  }
}
