package dev.parley.http;

import dev.parley.chat.ChatReply;
import dev.parley.chat.Delivery;
import dev.parley.chat.VisitorErrors;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A chat turn streamed as server-sent events: {@code start}, {@code delta}…, {@code tool} {@code {name, label,
 * status}} when a tool call starts and ends, {@code sources} when the knowledge base contributed, then {@code done} (the reply) or {@code error}. A turn that fails before its stream opened
 * (a bad message, an unreadable history) gets an ordinary JSON error; an answer that was not streamed (the
 * budget message) is sent as one delta.
 */
final class SseDelivery implements Delivery {

  private final RoutingContext ctx;
  private Sse sse;

  SseDelivery(RoutingContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public boolean streams() {
    return true;
  }

  @Override
  public void open(String sessionId, String messageId) {
    sse = new Sse(ctx.response());
    sse.open();
    sse.event("start", new JsonObject().put(Fields.SESSION_ID, sessionId).put(Fields.MESSAGE_ID, messageId));
  }

  @Override
  public void delta(String text) {
    sse.event("delta", new JsonObject().put(Fields.TEXT, text));
  }

  @Override
  public void tool(String name, String label, String status) {
    if (sse != null && !sse.clientGone()) {
      sse.event("tool", new JsonObject().put(Fields.NAME, name).put(Fields.LABEL, label).put(Fields.STATUS, status));
    }
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
      open(reply.sessionId(), reply.messageId());
      delta(reply.response());
    }
    if (!reply.sources().isEmpty()) {
      sse.event("sources", new JsonObject().put(Fields.SOURCES, reply.sources()));
    }
    sse.event("done", reply.toDone());
    sse.end();
  }

  /** A message held for people: one {@code state} event, then the stream ends. */
  @Override
  public void held(JsonObject reply) {
    if (sse == null) {
      sse = new Sse(ctx.response());
      sse.open();
    }
    sse.event("state", reply);
    sse.end();
  }

  @Override
  public void fail(ParleyException error) {
    if (sse == null) {
      Replies.fail(ctx, VisitorErrors.shown(error));
      return;
    }
    sse.event("error", VisitorErrors.streamError(error));
    sse.end();
  }
}
