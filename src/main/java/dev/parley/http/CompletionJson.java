package dev.parley.http;

import dev.parley.chat.ChatReply;
import dev.parley.chat.VisitorErrors;
import dev.parley.common.ParleyException;
import io.vertx.ext.web.RoutingContext;

/** A turn of {@code /v1/chat/completions} answered as one {@code chat.completion}; a failure in OpenAI's shape. */
final class CompletionJson extends WholeDelivery {

  private final RoutingContext ctx;
  private final Completions completions;

  CompletionJson(RoutingContext ctx, Completions completions) {
    this.ctx = ctx;
    this.completions = completions;
  }

  @Override
  public void reply(ChatReply reply) {
    Replies.json(ctx, 200, completions.completion(reply));
  }

  @Override
  public void fail(ParleyException error) {
    ctx.fail(VisitorErrors.shown(error));
  }
}
