package dev.parley.chat;

import dev.parley.common.Addresses;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Failures;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.ProviderClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The model's answer ({@code parley.provider.complete}, or {@code parley.provider.stream} when the delivery
 * streams). The model's failure does not fail the turn here: it becomes the turn's answer, so that the visitor's
 * message is still stored. When the visitor of a stream goes away mid-answer, the model's request is cancelled
 * (no more tokens spent) and what the visitor was sent is kept — unless they come back on the session's channel within
 * the grace ({@link LiveAnswers}): then the answer goes on there and is kept whole. Skipped when the turn already has
 * its answer.
 */
final class ModelAnswer implements Step {

  private final ProviderClient provider;
  private final Vertx vertx;
  private final LiveAnswers live;

  ModelAnswer(ProviderClient provider, Vertx vertx, LiveAnswers live) {
    this.provider = provider;
    this.vertx = vertx;
    this.live = live;
  }

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    if (turn.answer() != null) {
      return Future.succeededFuture(turn);
    }
    JsonObject request = turn.providerRequest();
    Future<Answer> answer = delivery.streams() ? stream(turn, request, delivery)
        : provider.complete(turn.requestId(), request).map(Answer::of).recover(failure -> Future.succeededFuture(
            Answer.failed(Failures.safe(failure, Addresses.PROVIDER_COMPLETE), "", "", false)));
    return answer.map(turn::withAnswer);
  }

  private Future<Answer> stream(Turn turn, JsonObject request, Delivery delivery) {
    delivery.open(turn.sessionId(), turn.answerId());
    String address = Addresses.STREAM_PREFIX + Ids.uuid();
    LiveAnswers.Live channel = live.start(turn);
    StreamReceiver stream = new StreamReceiver(vertx, address, piece -> {
      delivery.delta(piece);
      channel.delta(piece);
    });
    stream.ready().onComplete(ready -> {
      if (ready.failed()) {
        stream.fail(ready.cause());
      } else if (delivery.gone()) {
        stream.fail(Answer.CLIENT_GONE);
      } else {
        stream.watch(provider.stream(turn.requestId(), request, address));
      }
    });
    delivery.onGone(() -> {
      stream.clientGone();
      channel.followedWithinGrace().onComplete(followed -> {
        if (Boolean.TRUE.equals(followed.result())) {
          stream.clientBack();
        } else if (!stream.answer().isComplete()) {
          provider.cancel(address);
        }
      });
    });
    return stream.answer().transform(ended -> {
      boolean gone = delivery.gone() && !channel.isFollowed();
      if (ended.succeeded()) {
        return Future.succeededFuture(Answer.streamed(ended.result(), stream.sent(), stream.text(), gone));
      }
      ParleyException reported = Failures.safe(ended.cause(), Addresses.PROVIDER_STREAM);
      if (!gone && ErrorCodes.PROVIDER_NODE_LOST.equals(reported.code())) {
        // a node that only froze would go on calling the model for nobody
        provider.cancel(address);
      }
      return Future.succeededFuture(Answer.failed(reported, stream.sent(), stream.text(), gone));
    });
  }
}
