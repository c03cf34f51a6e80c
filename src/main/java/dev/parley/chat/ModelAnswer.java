package dev.parley.chat;

import dev.parley.common.Addresses;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Failures;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.ProviderClient;
import dev.parley.common.ToolClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The model's answer ({@code parley.provider.complete}, or {@code parley.provider.stream} when the delivery
 * streams); for a bot with {@code tools}, the {@link ToolLoop} of several such requests. The model's failure does not
 * fail the turn here: it becomes the turn's answer, so that the visitor's message is still stored. When the visitor of
 * a stream goes away mid-answer, the model's request is cancelled (no more tokens spent) and what the visitor was sent
 * is kept — unless they come back on the session's channel within the grace ({@link LiveAnswers}): then the answer goes
 * on there and is kept whole. Skipped when the turn already has its answer.
 */
final class ModelAnswer implements Step {

  private final ProviderClient provider;
  private final ToolClient tools;
  private final Vertx vertx;
  private final LiveAnswers live;
  private final long turnBudgetMs;

  /** {@code turnBudgetMs}: how long a tool loop may go on asking for tools (then the model must answer). */
  ModelAnswer(ProviderClient provider, ToolClient tools, Vertx vertx, LiveAnswers live, long turnBudgetMs) {
    this.provider = provider;
    this.tools = tools;
    this.vertx = vertx;
    this.live = live;
    this.turnBudgetMs = turnBudgetMs;
  }

  @Override
  public Future<Turn> apply(Turn turn, Delivery delivery) {
    if (turn.answer() != null) {
      return Future.succeededFuture(turn);
    }
    Streams streams = delivery.streams() ? new Streams(turn, delivery) : null;
    // the tool loop adds to its request once answered; a plain turn's request is built for its one call
    Future<Answer> answer = ToolLoop.offers(turn)
        ? new ToolLoop(tools, turnBudgetMs, request -> ask(turn, request, delivery, streams, false)).run(turn, delivery)
        : ask(turn, turn.providerRequest(), delivery, streams, true);
    return answer.map(turn::withAnswer);
  }

  /** One model request: {@code streams} null for a JSON turn; {@code handOver}: nobody changes the request once sent. */
  private Future<Answer> ask(Turn turn, JsonObject request, Delivery delivery, Streams streams, boolean handOver) {
    return streams != null ? streams.next(request)
        : (handOver ? provider.completeHandingOver(turn.requestId(), request) : provider.complete(turn.requestId(), request))
            .map(Answer::of).recover(failure -> Future.succeededFuture(
            Answer.failed(Failures.safe(failure, Addresses.PROVIDER_COMPLETE), "", "", false)));
  }

  /**
   * The streamed requests of one turn: the visitor's stream is opened once, every piece also goes to the session's
   * channel, and the visitor's leaving cancels the current request unless they come back on the channel in time.
   */
  private final class Streams {
    private final Turn turn;
    private final Delivery delivery;
    private final LiveAnswers.Live channel;
    private StreamReceiver current;
    private String address;

    Streams(Turn turn, Delivery delivery) {
      this.turn = turn;
      this.delivery = delivery;
      delivery.open(turn.sessionId(), turn.answerId());
      this.channel = live.start(turn);
      delivery.onGone(() -> {
        if (current == null) {
          return;
        }
        StreamReceiver left = current;
        left.clientGone();
        channel.followedWithinGrace().onComplete(followed -> {
          if (Boolean.TRUE.equals(followed.result())) {
            left.clientBack();
          } else if (!current.answer().isComplete()) {
            provider.cancel(address);
          }
        });
      });
    }

    private boolean visitorGone() {
      return delivery.gone() && !channel.isFollowed();
    }

    Future<Answer> next(JsonObject request) {
      String streamAddress = Addresses.STREAM_PREFIX + Ids.uuid();
      StreamReceiver stream = new StreamReceiver(vertx, streamAddress, piece -> {
        delivery.delta(piece);
        channel.delta(piece);
      });
      current = stream;
      address = streamAddress;
      stream.ready().onComplete(ready -> {
        if (ready.failed()) {
          stream.fail(ready.cause());
        } else if (visitorGone()) {
          stream.fail(Answer.CLIENT_GONE);
        } else {
          stream.watch(provider.stream(turn.requestId(), request, streamAddress));
        }
      });
      if (visitorGone()) {
        stream.clientGone();
      }
      return stream.answer().transform(ended -> {
        boolean gone = visitorGone();
        if (ended.succeeded()) {
          return Future.succeededFuture(Answer.streamed(ended.result(), stream.sent(), stream.text(), gone));
        }
        ParleyException reported = Failures.safe(ended.cause(), Addresses.PROVIDER_STREAM);
        if (!gone && ErrorCodes.PROVIDER_NODE_LOST.equals(reported.code())) {
          // a node that only froze would go on calling the model for nobody
          provider.cancel(streamAddress);
        }
        return Future.succeededFuture(Answer.failed(reported, stream.sent(), stream.text(), gone));
      });
    }
  }
}
