package dev.parley.chat;

import dev.parley.common.Fields;
import dev.parley.common.UnicodeText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a turn's tool loop did ({@link ToolLoop}): every call as stored on the answer ({@code {tool, type, arguments,
 * result, status, error?, latency_ms, step}}, arguments and result cut to {@value #STORED_CHARS} characters), and
 * what the model steps before the last one spent, which a failed last step adds to the turn's spend.
 */
public record ToolLog(JsonArray calls, long inputTokens, long outputTokens, double cost) {

  /** How much of a call's arguments and result is stored. */
  static final int STORED_CHARS = 2_000;

  static final ToolLog NONE = new ToolLog(new JsonArray(), 0, 0, 0);

  /** The log with one more model step's spend ({@code {usage, cost}} of a provider answer). */
  ToolLog spent(JsonObject answer) {
    JsonObject usage = answer.getValue(Fields.USAGE) instanceof JsonObject u ? u : new JsonObject();
    return new ToolLog(calls, inputTokens + number(usage, Fields.INPUT_TOKENS).longValue(),
        outputTokens + number(usage, Fields.OUTPUT_TOKENS).longValue(), cost + number(answer, Fields.COST).doubleValue());
  }

  /** {@code answer} with this log's spend added to its own {@code usage} and {@code cost}. */
  JsonObject addedTo(JsonObject answer) {
    JsonObject usage = answer.getValue(Fields.USAGE) instanceof JsonObject u ? u.copy() : new JsonObject();
    usage.put(Fields.INPUT_TOKENS, number(usage, Fields.INPUT_TOKENS).longValue() + inputTokens);
    usage.put(Fields.OUTPUT_TOKENS, number(usage, Fields.OUTPUT_TOKENS).longValue() + outputTokens);
    return answer.copy().put(Fields.USAGE, usage).put(Fields.COST, number(answer, Fields.COST).doubleValue() + cost);
  }

  boolean isEmpty() {
    return calls.isEmpty() && inputTokens == 0 && outputTokens == 0 && cost == 0;
  }

  static String cut(String text) {
    return text == null || text.length() <= STORED_CHARS ? text : UnicodeText.prefix(text, STORED_CHARS) + "…";
  }

  private static Number number(JsonObject json, String field) {
    return json.getValue(field) instanceof Number n ? n : 0;
  }
}
