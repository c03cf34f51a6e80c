package dev.parley.provider;

import dev.parley.common.UnicodeText;

import io.vertx.core.json.JsonArray;

/**
 * A model's finished answer: its text, why it stopped ({@code stop}, {@code length}, {@code tool_calls}, or the
 * vendor's own word for anything else) and the tools it asked to call, in the provider-neutral shape
 * {@code [{id, name, arguments, arguments_error?}]} ({@link ToolCallParts}); empty when it asked for none. What it
 * spent is in the attempt's {@link Meter}.
 */
public record Completion(String content, String finishReason, JsonArray toolCalls) {

  public Completion {
    // a model's text is stored and sent as it is: NUL and lone surrogates, which neither PostgreSQL nor UTF-8 can hold,
    // become U+FFFD rather than losing the turn
    content = UnicodeText.replaceInvalid(content);
    toolCalls = toolCalls == null ? new JsonArray() : toolCalls;
    // some compatible servers answer tool calls with "stop": the caller only needs to know tools were asked for
    if (!toolCalls.isEmpty() && ("stop".equals(finishReason) || finishReason == null)) {
      finishReason = ToolCallParts.FINISH;
    }
  }

  public Completion(String content, String finishReason) {
    this(content, finishReason, null);
  }
}
