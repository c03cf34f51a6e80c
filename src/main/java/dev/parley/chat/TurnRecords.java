package dev.parley.chat;

import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import dev.parley.common.PiiRedactor;
import dev.parley.common.TokenEstimate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** What a turn becomes outside the pipeline: the record memory stores, and the event extensions hear. */
final class TurnRecords {

  private TurnRecords() {
  }

  /**
   * The record of the turn as answered: complete; cut short ({@code incomplete}, with the text the visitor was
   * sent) when the stream broke off or the visitor left; failed, the user message alone then holding what the
   * failed call spent; or a budget answer. For a bot with {@code redact_pii} on, both texts are redacted
   * ({@link PiiRedactor}): the record is what is stored and what the event tells.
   */
  static JsonObject of(Turn turn) {
    JsonObject record = answered(turn);
    if (turn.redaction().stored()) {
      for (String part : new String[] {Fields.USER, Fields.ASSISTANT}) {
        if (record.getValue(part) instanceof JsonObject message) {
          message.put(Fields.CONTENT, PiiRedactor.redact(message.getString(Fields.CONTENT)));
        }
      }
    }
    return record;
  }

  /** The record of a visitor's message kept from the bot (the conversation is with people): no answer. */
  static JsonObject held(Turn turn) {
    JsonObject record = record(turn, null, null);
    if (turn.redaction().stored()) {
      JsonObject user = record.getJsonObject(Fields.USER);
      user.put(Fields.CONTENT, PiiRedactor.redact(user.getString(Fields.CONTENT)));
    }
    return record;
  }

  private static JsonObject answered(Turn turn) {
    Answer answer = turn.answer();
    if (!answer.fromModel()) {
      return record(turn, assistant(turn, answer.content(), "complete", answer.answer().getString(Fields.ERROR),
          answer.answer()), null);
    }
    if (answer.answer() != null) {
      return answer.clientGone()
          ? record(turn, assistant(turn, answer.sent(), "incomplete", Answer.CLIENT_GONE.code(), answer.answer()), null)
          : record(turn, assistant(turn, answer.content(), "complete", null, answer.answer()), null);
    }
    ParleyException error = answer.error();
    ParleyException reported = answer.reported();
    // what the model spent before it stopped: as the provider reports it, else estimated from what came back
    JsonObject spent = reported.spent() != null ? reported.spent()
        : answer.received().isEmpty() ? null : estimatedSpend(turn.providerRequest(), answer.received());
    if (!answer.tools().isEmpty()) {
      // the tool loop's earlier steps were spent too
      spent = answer.tools().addedTo(spent == null ? new JsonObject() : spent);
    }
    if (!answer.sent().isEmpty()) {
      return record(turn, assistant(turn, answer.sent(), "incomplete", error.code(),
          spent == null ? new JsonObject() : spent), null);
    }
    JsonObject record = record(turn, null, error.code());
    if (!answer.tools().calls().isEmpty()) {
      record.getJsonObject(Fields.USER).put(Fields.TOOL_CALLS, answer.tools().calls());
    }
    if (spent != null) {
      // with no answer to hold them, the user message does, so usage, budgets and stats count them
      record.getJsonObject(Fields.USER).mergeIn(spend(spent))
          .put(Fields.PROVIDER, spent.getValue(Fields.PROVIDER) instanceof String p ? p : turn.bot().getString("provider"))
          .put(Fields.MODEL, spent.getValue(Fields.MODEL) instanceof String m ? m : turn.bot().getString("model"));
    }
    return record;
  }

  /**
   * What a model call that reported nothing spent, estimated from characters ({@link TokenEstimate}): the
   * provider request it was sent and the text that came back. The cost is unknown here (0): prices live with
   * the provider, which reports its own estimates priced.
   */
  static JsonObject estimatedSpend(JsonObject providerRequest, String received) {
    return new JsonObject().put(Fields.USAGE, new JsonObject()
            .put(Fields.INPUT_TOKENS, TokenEstimate.ofChars(TokenEstimate.promptChars(providerRequest)))
            .put(Fields.OUTPUT_TOKENS, TokenEstimate.ofChars(received.length()))
            .put(Fields.ESTIMATED, true))
        .put(Fields.COST, 0.0);
  }

  /** What a stored turn spent, {@code {input_tokens, output_tokens, cost}}: its answer's and its user message's. */
  static JsonObject spent(JsonObject record) {
    long input = 0;
    long output = 0;
    double cost = 0;
    for (String part : new String[] {Fields.USER, Fields.ASSISTANT}) {
      if (record.getValue(part) instanceof JsonObject message) {
        input += number(message, Fields.INPUT_TOKENS).longValue();
        output += number(message, Fields.OUTPUT_TOKENS).longValue();
        cost += number(message, Fields.COST).doubleValue();
      }
    }
    return new JsonObject().put(Fields.INPUT_TOKENS, input).put(Fields.OUTPUT_TOKENS, output).put(Fields.COST, cost);
  }

  /** The body of {@code parley.events.turn.completed} for a stored turn. */
  static JsonObject event(Turn turn) {
    JsonObject record = turn.record();
    JsonObject stored = turn.stored();
    JsonObject assistant = record.getJsonObject(Fields.ASSISTANT);
    JsonObject bot = turn.bot();
    return new JsonObject()
        .put(Fields.BOT_ID, turn.botId())
        .put(Fields.SESSION_ID, turn.sessionId())
        .put(Fields.CHANNEL, turn.caller().channel())
        .put(Fields.CONVERSATION_ID, stored.getString(Fields.CONVERSATION_ID))
        .put(Fields.MESSAGE_ID, stored.getString(Fields.MESSAGE_ID))
        .put(Fields.USER, record.getJsonObject(Fields.USER).getString(Fields.CONTENT))
        .put(Fields.ASSISTANT, assistant == null ? null : assistant.getString(Fields.CONTENT))
        .put(Fields.STATUS, assistant == null ? "failed" : assistant.getString(Fields.STATUS))
        .put(Fields.ERROR, assistant == null ? record.getString(Fields.ERROR) : assistant.getString(Fields.ERROR))
        // who answered: the bot's fallback when its own provider was failing
        .put(Fields.PROVIDER, assistant == null ? bot.getString("provider") : assistant.getString(Fields.PROVIDER))
        .put(Fields.MODEL, assistant == null ? bot.getString("model") : assistant.getString(Fields.MODEL))
        .put(Fields.USAGE, spent(record))
        .put(Fields.LATENCY_MS, assistant == null ? turn.latencyMs() : assistant.getLong(Fields.LATENCY_MS))
        .put(Fields.RETRIEVAL_ERROR, turn.retrievalError())
        .put(Fields.SOURCES, sources(assistant).size())
        .put("top_score", topScore(sources(assistant)));
  }

  private static JsonArray sources(JsonObject assistant) {
    return assistant == null ? new JsonArray() : assistant.getJsonArray(Fields.SOURCES, new JsonArray());
  }

  private static Double topScore(JsonArray sources) {
    Double best = null;
    for (Object source : sources) {
      Double score = source instanceof JsonObject passage ? passage.getDouble("score") : null;
      if (score != null && (best == null || score > best)) {
        best = score;
      }
    }
    return best;
  }

  private static Number number(JsonObject json, String field) {
    return json.getValue(field) instanceof Number n ? n : 0;
  }

  /**
   * The stored usage fields of a provider answer or spend ({@code {usage:{input_tokens, output_tokens}, cost}}):
   * null when it reported none (the extractive provider, a budget answer), never a non-number.
   */
  private static JsonObject spend(JsonObject answer) {
    JsonObject usage = answer.getValue(Fields.USAGE) instanceof JsonObject u ? u : new JsonObject();
    return new JsonObject()
        .put(Fields.INPUT_TOKENS, usage.getValue(Fields.INPUT_TOKENS) instanceof Number n ? n.longValue() : null)
        .put(Fields.OUTPUT_TOKENS, usage.getValue(Fields.OUTPUT_TOKENS) instanceof Number n ? n.longValue() : null)
        .put(Fields.COST, answer.getValue(Fields.COST) instanceof Number n ? n.doubleValue() : null);
  }

  private static JsonObject assistant(Turn turn, String content, String status, String error, JsonObject answer) {
    JsonObject bot = turn.bot();
    return new JsonObject()
        .put(Fields.CONTENT, content)
        .put(Fields.STATUS, status)
        .put(Fields.ERROR, error)
        .mergeIn(spend(answer))
        .put(Fields.LATENCY_MS, turn.latencyMs())
        .put(Fields.PROVIDER, answer.getString(Fields.PROVIDER, bot.getString("provider")))
        .put(Fields.MODEL, answer.getString(Fields.MODEL, bot.getString("model")))
        .put(Fields.SOURCES, turn.sources())
        .put(Fields.TOOL_CALLS, turn.answer().tools().calls().isEmpty() ? null : turn.answer().tools().calls());
  }

  private static JsonObject record(Turn turn, JsonObject assistant, String error) {
    return new JsonObject()
        .put(Fields.BOT_ID, turn.botId())
        .put(Fields.SESSION_ID, turn.sessionId())
        .put(Fields.USER, new JsonObject().put(Fields.ID, turn.userMessageId()).put(Fields.CONTENT, turn.message())
            .put(Fields.CREATED_AT, turn.startedAt()))
        .put(Fields.ASSISTANT, assistant == null ? null : assistant.put(Fields.ID, turn.answerId()))
        .put(Fields.ERROR, error)
        .put(Fields.RETRIEVAL_ERROR, turn.retrievalError())
        .put(Fields.CHANNEL, turn.caller().channel())
        // what the search found, kept with the visitor's message for the knowledge gaps
        .put(Fields.NOTHING_FOUND, turn.nothingFound())
        .put(Fields.TOP_SCORE, topScore(turn.sources()))
        .put(Fields.API_USER, turn.caller().user());
  }
}
