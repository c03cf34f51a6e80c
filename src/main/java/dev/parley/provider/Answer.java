package dev.parley.provider;

import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/** A finished answer and who gave it; {@code primaryError} is the bot's provider's failure when the fallback did. */
record Answer(ModelProvider provider, ModelCall call, Completion completion, ParleyException primaryError) {

  boolean fallback() {
    return primaryError != null;
  }

  /**
   * The reply of the request (and a stream's {@code done}): the answer, what the whole request spent, who
   * answered, and for a stream the number of deltas sent.
   */
  JsonObject toReply(long started, Spend spend, StreamSender stream) {
    JsonObject reply = new JsonObject()
        .put(Fields.CONTENT, completion.content())
        .put(Fields.USAGE, spend.usage())
        .put(Fields.COST, spend.cost())
        .put(Fields.PROVIDER, provider.name())
        .put(Fields.MODEL, call.model())
        .put(Fields.LATENCY_MS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
        .put(Fields.FINISH_REASON, completion.finishReason())
        .put(Fields.FALLBACK, fallback());
    if (!completion.toolCalls().isEmpty()) {
      reply.put(Fields.TOOL_CALLS, completion.toolCalls());
    }
    if (fallback()) {
      reply.put(Fields.PRIMARY_ERROR, new JsonObject().put("code", primaryError.code())
          .put("message", primaryError.getMessage()));
    }
    if (stream != null) {
      reply.put(Fields.DELTAS, stream.count());
    }
    return reply;
  }
}
