package dev.parley.chat;

import dev.parley.common.Addresses;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * The answers one pipeline is streaming, as the visitor channel of their session sees them on any node: each piece
 * is published on the session's address ({@link Addresses#session}) as {@code {type: "delta", data: {message_id,
 * text, offset}}}, and while the answer is written the answer so far is answered on {@link Addresses#chatAnswer}
 * ({@code {message_id, text}}), so a visitor who reloads the page mid-answer gets it and then the rest. Once the turn
 * has ended (stored or failed) {@code {type: "answer_done", data: {message_id, error?}}} is published.
 *
 * <p>A visitor whose stream closes is given {@code reload_grace_ms} to come back on the channel: when a channel asks for
 * the answer so far within it (or had before), the model goes on and the whole answer is kept as sent; otherwise the
 * model's request is cancelled as before. The kept text is bounded ({@link #MAX_KEPT_CHARS}): past it the answer so far
 * is refused (413) and a channel continues from the live pieces. Used from the pipeline's event loop only.
 */
final class LiveAnswers {

  /** The most text of one answer kept for a returning visitor. */
  static final int MAX_KEPT_CHARS = 200_000;

  private final Vertx vertx;
  private final long graceMs;
  private final Map<String, Live> live = new HashMap<>();

  LiveAnswers(Vertx vertx, long graceMs) {
    this.vertx = vertx;
    this.graceMs = graceMs;
  }

  /** Starts publishing the answer {@code turn.answerId()}. */
  Live start(Turn turn) {
    Live answer = new Live(turn.botId(), turn.sessionId(), turn.answerId());
    live.put(turn.answerId(), answer);
    return answer;
  }

  /** The turn of the answer {@code answerId} has ended, with {@code error} or none: tells its channel. */
  void end(String answerId, ParleyException error) {
    Live answer = live.remove(answerId);
    if (answer != null) {
      answer.end(error);
    }
  }

  /** How many answers are being streamed (for tests). */
  int size() {
    return live.size();
  }

  /** One answer in progress. */
  final class Live {

    private final String channel;
    private final String messageId;
    private final MessageConsumer<JsonObject> asked;
    private final StringBuilder kept = new StringBuilder();
    private int offset;
    private boolean followed;
    private Promise<Boolean> waiting;

    private Live(String botId, String sessionId, String messageId) {
      this.channel = Addresses.session(botId, sessionId);
      this.messageId = messageId;
      this.asked = vertx.eventBus().consumer(Addresses.chatAnswer(botId, sessionId), request -> {
        followed();
        if (offset > MAX_KEPT_CHARS) {
          request.fail(ErrorCodes.PAYLOAD_TOO_LARGE, "The answer in progress is too long to be sent again");
          return;
        }
        request.reply(new JsonObject().put(Fields.MESSAGE_ID, messageId).put(Fields.TEXT, kept.toString()));
      });
    }

    /** A piece of the answer: kept (within the bound) and published on the session's channel. */
    void delta(String piece) {
      if (piece.isEmpty()) {
        return;
      }
      vertx.eventBus().publish(channel, new JsonObject().put(Fields.TYPE, "delta").put(Fields.DATA, new JsonObject()
          .put(Fields.MESSAGE_ID, messageId).put(Fields.TEXT, piece).put(Fields.OFFSET, offset)));
      offset += piece.length();
      if (kept.length() + piece.length() <= MAX_KEPT_CHARS) {
        kept.append(piece);
      }
    }

    /** Whether a channel has asked for this answer: someone is following it there. */
    boolean isFollowed() {
      return followed;
    }

    /**
     * The visitor's stream closed: completes with true as soon as a channel follows the answer (at once if one has),
     * false when none did within the grace.
     */
    Future<Boolean> followedWithinGrace() {
      if (followed || graceMs <= 0) {
        return Future.succeededFuture(followed);
      }
      if (waiting == null) {
        waiting = Promise.promise();
        long timer = vertx.setTimer(graceMs, t -> waiting.tryComplete(false));
        waiting.future().onComplete(done -> vertx.cancelTimer(timer));
      }
      return waiting.future();
    }

    private void followed() {
      followed = true;
      if (waiting != null) {
        waiting.tryComplete(true);
      }
    }

    private void end(ParleyException error) {
      asked.unregister();
      if (waiting != null) {
        waiting.tryComplete(followed);
      }
      JsonObject data = new JsonObject().put(Fields.MESSAGE_ID, messageId);
      if (error != null) {
        data.put(Fields.ERROR, VisitorErrors.streamError(error));
      }
      vertx.eventBus().publish(channel, new JsonObject().put(Fields.TYPE, "answer_done").put(Fields.DATA, data));
    }
  }
}
