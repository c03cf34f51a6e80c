package dev.parley.http;

import dev.parley.common.Addresses;
import dev.parley.common.ChannelClient;
import dev.parley.common.ConversationClient;
import dev.parley.common.Fields;
import dev.parley.common.MemoryClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One visitor channel ({@link VisitorChannels}): listens on the session's address first, then sends what the
 * {@link ChannelCursor} missed from the conversation's log (any node's storage), then the bot answer in progress from
 * where the cursor was in it (or whole), then what arrived meanwhile and everything live. Log events are sent once, in
 * id order (an id already sent is dropped); the pieces of an answer are trimmed to what this channel has not sent.
 * An answer the cursor was in that ended while the visitor was away is finished from the stored message.
 */
final class VisitorChannel {

  private static final Logger LOG = LoggerFactory.getLogger(VisitorChannel.class);
  /** The most live events held while the missed ones are read; past it the channel ends (the client resumes). */
  static final int MAX_HELD = 1_000;

  private final Vertx vertx;
  private final ChannelClient channels;
  private final ConversationClient conversations;
  private final MemoryClient memory;
  private final String requestId;
  private final String botId;
  private final String sessionId;
  private final ChannelCursor cursor;
  private final Sse sse;
  private MessageConsumer<JsonObject> consumer;
  private List<JsonObject> held = new ArrayList<>();
  private long lastId;
  /** The answer this channel is sending and how many of its characters it has sent. */
  private String answerId;
  private int answerSent;
  private boolean ended;
  private boolean opened;

  VisitorChannel(Vertx vertx, ChannelClient channels, ConversationClient conversations, MemoryClient memory,
      String requestId, String botId, String sessionId, ChannelCursor cursor, Sse sse) {
    this.vertx = vertx;
    this.channels = channels;
    this.conversations = conversations;
    this.memory = memory;
    this.requestId = requestId;
    this.botId = botId;
    this.sessionId = sessionId;
    this.cursor = cursor;
    this.sse = sse;
    this.lastId = cursor.after();
  }

  /**
   * Listens, then reads what was missed; completes once the channel is live, failed when the first read of the log
   * failed (nothing was written: the caller answers the error).
   */
  Future<Void> start(Runnable opened) {
    consumer = vertx.eventBus().consumer(Addresses.session(botId, sessionId), message -> live(message.body()));
    return consumer.completion()
        .compose(v -> missed())
        .compose(first -> {
          this.opened = true;
          opened.run();
          return replay(first);
        })
        .compose(v -> resume())
        .onSuccess(v -> {
          List<JsonObject> arrived = held;
          held = null;
          arrived.forEach(this::send);
        })
        .onFailure(failed -> close());
  }

  /** Stops listening and ends the stream if it was opened (its client resumes, here or on another node). */
  void close() {
    if (!ended) {
      ended = true;
      consumer.unregister();
      if (opened) {
        sse.end();
      }
    }
  }

  void ping() {
    sse.comment("ping");
  }

  private Future<Void> replay(JsonArray page) {
    for (Object event : page) {
      send((JsonObject) event);
    }
    if (page.size() < ChannelClient.EVENTS_PAGE || ended) {
      return Future.succeededFuture();
    }
    return missed().compose(this::replay);
  }

  private Future<JsonArray> missed() {
    return conversations.events(requestId, botId, sessionId, lastId)
        .map(reply -> reply.getJsonArray(Fields.EVENTS, new JsonArray()));
  }

  /** The answer in progress, from where the cursor was in it; or the rest of the one it was in, from storage. */
  private Future<Void> resume() {
    return channels.answerSoFar(requestId, botId, sessionId)
        .compose(soFar -> {
          if (soFar != null) {
            String id = soFar.getString(Fields.MESSAGE_ID);
            String text = soFar.getString(Fields.TEXT, "");
            answerId = id;
            answerSent = id.equals(cursor.messageId()) ? Math.min(cursor.offset(), text.length()) : 0;
            delta(id, text, 0);
            return Future.succeededFuture();
          }
          return cursor.messageId() == null ? Future.succeededFuture() : finishStored();
        })
        .recover(failure -> {
          LOG.debug("[{}] The answer in progress of a session could not be read: {}", requestId, failure.getMessage());
          return Future.succeededFuture();
        });
  }

  private Future<Void> finishStored() {
    return memory.messages(requestId, botId, sessionId).map(session -> {
      for (Object item : session.getJsonArray(Fields.MESSAGES, new JsonArray())) {
        JsonObject message = (JsonObject) item;
        if (cursor.messageId().equals(message.getString(Fields.ID)) && Fields.ASSISTANT.equals(message.getString(Fields.ROLE))) {
          answerId = cursor.messageId();
          answerSent = cursor.offset();
          delta(answerId, message.getString(Fields.CONTENT, ""), 0);
          send(new JsonObject().put(Fields.TYPE, "answer_done").put(Fields.DATA,
              new JsonObject().put(Fields.MESSAGE_ID, answerId)));
        }
      }
      return null;
    });
  }

  private void live(JsonObject event) {
    if (ended || event == null) {
      return;
    }
    if (held == null) {
      send(event);
    } else if (held.size() < MAX_HELD) {
      held.add(event);
    } else {
      close();
    }
  }

  private void send(JsonObject event) {
    String type = event.getValue(Fields.TYPE) instanceof String text ? text : "";
    JsonObject data = event.getValue(Fields.DATA) instanceof JsonObject object ? object : new JsonObject();
    switch (type) {
      case "delta" -> {
        String id = data.getString(Fields.MESSAGE_ID);
        if (id != null && data.getValue(Fields.TEXT) instanceof String text) {
          if (!id.equals(answerId)) {
            answerId = id;
            answerSent = data.getInteger(Fields.OFFSET, 0);
          }
          delta(id, text, data.getInteger(Fields.OFFSET, 0));
        }
      }
      case "answer_done" -> {
        if (data.getString(Fields.MESSAGE_ID, "").equals(answerId)) {
          answerId = null;
          answerSent = 0;
        }
        sse.event(String.valueOf(lastId), type, data);
      }
      default -> {
        Long id = event.getValue(Fields.ID) instanceof Number number ? number.longValue() : null;
        if (id != null && id > lastId && !type.isEmpty()) {
          lastId = id;
          sse.event(String.valueOf(id), type, data);
        }
      }
    }
  }

  /** The part of {@code text} (at {@code offset} of the answer) this channel has not sent yet. */
  private void delta(String id, String text, int offset) {
    int end = offset + text.length();
    if (end <= answerSent) {
      return;
    }
    int from = Math.max(answerSent, offset);
    sse.event(ChannelCursor.inAnswer(lastId, id, end), "delta", new JsonObject().put(Fields.MESSAGE_ID, id)
        .put(Fields.TEXT, text.substring(from - offset)).put(Fields.OFFSET, from));
    answerSent = end;
  }
}
