package dev.parley.http;

import dev.parley.chat.ChatReply;
import dev.parley.chat.Delivery;
import dev.parley.chat.VisitorErrors;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A turn of {@code /v1/chat/completions} with {@code stream: true}, written as OpenAI streams: data-only events of
 * {@code chat.completion.chunk}s (the role first, then each piece of text, then an empty delta with
 * {@code finish_reason: "stop"}), with {@code stream_options.include_usage} a last chunk with no choices and the
 * usage, then {@code data: [DONE]}. A failure before the stream opened is an ordinary error response; after, an
 * {@code {"error": …}} event ends the stream (no {@code [DONE]}).
 */
final class CompletionStream implements Delivery {

  private final RoutingContext ctx;
  private final Completions completions;
  private final boolean includeUsage;
  private Sse sse;

  CompletionStream(RoutingContext ctx, Completions completions, boolean includeUsage) {
    this.ctx = ctx;
    this.completions = completions;
    this.includeUsage = includeUsage;
  }

  @Override
  public boolean streams() {
    return true;
  }

  @Override
  public void open(String sessionId, String messageId) {
    sse = new Sse(ctx.response());
    sse.open();
    sse.data(completions.chunk(new JsonObject().put(Fields.ROLE, "assistant").put(Fields.CONTENT, ""), null).encode());
  }

  @Override
  public void delta(String text) {
    sse.data(completions.chunk(new JsonObject().put(Fields.CONTENT, text), null).encode());
  }

  @Override
  public void onGone(Runnable action) {
    sse.onGone(action);
  }

  @Override
  public boolean gone() {
    return sse != null && sse.clientGone();
  }

  @Override
  public void reply(ChatReply reply) {
    if (sse == null) {
      open(reply.sessionId(), null);
      delta(reply.response());
    }
    sse.data(completions.chunk(new JsonObject(), "stop").encode());
    if (includeUsage) {
      sse.data(completions.usageChunk(reply).encode());
    }
    sse.data("[DONE]");
    sse.end();
  }

  /** An API turn is never held for people (HandoffGate lets it through). */
  @Override
  public void held(JsonObject reply) {
    fail(ParleyException.internal());
  }

  @Override
  public void fail(ParleyException error) {
    if (sse == null) {
      ctx.fail(VisitorErrors.shown(error));
      return;
    }
    sse.data(new JsonObject().put("error", OpenAiErrors.body(VisitorErrors.shown(error))).encode());
    sse.end();
  }
}
