package dev.parley.http;

import dev.parley.chat.ChatReply;
import dev.parley.chat.Delivery;
import dev.parley.chat.VisitorErrors;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A chat turn answered as one JSON body: 200 with the reply, 202 {@code {message_id, session_id, state}} when held for people, or the error as every route renders it. A JSON turn
 * whose client went away runs to its end and is stored.
 */
final class JsonDelivery implements Delivery {

  private final RoutingContext ctx;

  JsonDelivery(RoutingContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public boolean streams() {
    return false;
  }

  @Override
  public void open(String sessionId, String messageId) {
    // nothing is sent before the whole answer
  }

  @Override
  public void delta(String text) {
    // nothing is sent before the whole answer
  }

  @Override
  public void onGone(Runnable action) {
    // a JSON turn runs to its end
  }

  @Override
  public boolean gone() {
    return false;
  }

  @Override
  public void reply(ChatReply reply) {
    Replies.json(ctx, 200, reply.toJson());
  }

  @Override
  public void held(JsonObject reply) {
    Replies.json(ctx, 202, reply);
  }

  @Override
  public void fail(ParleyException error) {
    Replies.fail(ctx, VisitorErrors.shown(error));
  }
}
