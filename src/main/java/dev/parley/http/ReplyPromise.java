package dev.parley.http;

import dev.parley.chat.ChatReply;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/** A turn whose answer is not sent anywhere but handed back whole ({@link #future}): an MCP tool call's. */
final class ReplyPromise extends WholeDelivery {

  private final Promise<ChatReply> promise = Promise.promise();

  Future<ChatReply> future() {
    return promise.future();
  }

  @Override
  public void reply(ChatReply reply) {
    promise.tryComplete(reply);
  }

  @Override
  public void fail(ParleyException error) {
    promise.tryFail(error);
  }
}
