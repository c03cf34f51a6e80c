package dev.parley.http;

import dev.parley.chat.ChatReply;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The OpenAI Chat Completions objects a turn is answered with, made in this one place: a {@code chat.completion},
 * the {@code chat.completion.chunk}s of a stream, and the {@code usage} of both. {@code model} is the bot's id; the
 * answer's knowledge-base sources ride along in a {@code sources} field (as the bot's citation setting shows them),
 * which OpenAI clients ignore.
 */
final class Completions {

  private final String id = "chatcmpl-" + Ids.uuid();
  private final long created = System.currentTimeMillis() / 1000;
  private final String model;

  Completions(String model) {
    this.model = model;
  }

  /** The whole answer: {@code chat.completion}. */
  JsonObject completion(ChatReply reply) {
    JsonObject message = new JsonObject().put(Fields.ROLE, "assistant").put(Fields.CONTENT, reply.response())
        .put("refusal", null);
    return head("chat.completion")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
            .put("logprobs", null).put("finish_reason", "stop")))
        .put(Fields.USAGE, usage(reply))
        .put(Fields.SOURCES, reply.sources());
  }

  /** A chunk of a stream carrying {@code delta}, or, with a {@code finishReason}, the last chunk of the answer. */
  JsonObject chunk(JsonObject delta, String finishReason) {
    return head("chat.completion.chunk").put("choices", new JsonArray().add(new JsonObject().put("index", 0)
        .put("delta", delta).put("logprobs", null).put("finish_reason", finishReason)));
  }

  /** The chunk that ends a stream asked for with {@code stream_options.include_usage}: no choices, the usage. */
  JsonObject usageChunk(ChatReply reply) {
    return head("chat.completion.chunk").put("choices", new JsonArray()).put(Fields.USAGE, usage(reply));
  }

  private JsonObject head(String object) {
    return new JsonObject().put("id", id).put("object", object).put("created", created).put("model", model);
  }

  private static JsonObject usage(ChatReply reply) {
    long input = reply.usage().getLong(Fields.INPUT_TOKENS, 0L);
    long output = reply.usage().getLong(Fields.OUTPUT_TOKENS, 0L);
    return new JsonObject().put("prompt_tokens", input).put("completion_tokens", output)
        .put("total_tokens", input + output);
  }
}
