package dev.parley.http;

import dev.parley.common.Addresses;
import dev.parley.common.Bus;
import dev.parley.common.ErrorCodes;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.MemoryClient;
import dev.parley.common.ParleyException;
import dev.parley.common.ProviderClient;
import dev.parley.common.RagClient;
import dev.parley.common.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/chat/{bot_id}}: one chat turn, answered as JSON or streamed as server-sent
 * events ({@code start}, {@code delta}…, {@code sources} when the knowledge base contributed, then
 * {@code done} or {@code error}). When the bot has retrieval enabled, the knowledge-base search
 * runs in parallel with the history fetch and its passages go into the system prompt. The user message
 * is stored even when the model fails; a streamed answer is stored when it completes, and marked
 * incomplete when the stream broke off. When the client of a stream goes away mid-answer, the model's
 * request is cancelled (no more tokens spent) and what the client was sent is stored, marked incomplete
 * with {@code client_disconnected}; a JSON turn whose client went away runs to its end and is stored.
 * Errors only the operator can act on reach the visitor as a generic one, and set the bot's provider
 * status ({@link ProviderHealth}).
 */
final class ChatHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(ChatHandler.class);
  private static final ParleyException CLIENT_GONE = new ParleyException(ErrorCodes.CLIENT_CLOSED_REQUEST,
      "client_disconnected", "The visitor left before the answer was complete");

  private final Timeouts timeouts;
  private final Budgets budgets;

  ChatHandler(Timeouts timeouts, Budgets budgets) {
    this.timeouts = timeouts;
    this.budgets = budgets;
  }

  @Override
  public void handle(RoutingContext ctx) {
    JsonObject bot = ctx.get(ChatAccess.BOT);
    JsonObject body = JsonBodies.object(ctx);
    Turn turn = new Turn(bot, sessionId(body), message(body, bot));
    boolean stream = wantsStream(ctx, body);
    Bus bus = BotsHandler.bus(ctx);
    // A failed budget lookup lets the turn through: the budget is a cap on spend, not a reason to refuse chats.
    budgets.exhausted(bus, bot).onComplete(over -> {
      if (over.succeeded() && over.result()) {
        overBudget(ctx, bus, turn, Budgets.message(bot), stream);
      } else {
        if (over.failed()) {
          LOG.warn("[{}] The daily budget of bot {} could not be checked ({}); the turn goes ahead unchecked",
              bus.requestId(), turn.botId(), Failures.safe(over.cause(), Addresses.MEMORY_USAGE).code());
        }
        answer(ctx, bus, turn, stream);
      }
    });
  }

  private void answer(RoutingContext ctx, Bus bus, Turn turn, boolean stream) {
    MemoryClient memory = new MemoryClient(bus, timeouts);
    Future<JsonArray> history = Future.all(
            memory.history(turn.botId(), turn.sessionId(), turn.historyLimit()),
            retrieve(bus, turn))
        .map(both -> {
          turn.passages(both.resultAt(1));
          return both.resultAt(0);
        });
    if (stream) {
      stream(ctx, bus, memory, turn, history);
    } else {
      ProviderClient provider = new ProviderClient(bus, timeouts);
      history
          .compose(messages -> provider.complete(turn.providerRequest(messages)).compose(
              answer -> store(bus, memory, turn, turn.answered(answer))
                  .compose(stored -> ProviderHealth.afterAnswer(bus, timeouts, turn, answer).map(stored))
                  .map(stored -> reply(turn, answer, stored)),
              failure -> storeFailure(bus, memory, turn, failure)))
          .onComplete(Replies.json(ctx, 200, json -> json));
    }
  }

  /**
   * The knowledge-base passages for the turn's message. Retrieval never fails a turn: on a
   * failure (or no RAG node) the model answers without context, and the failure is stored with the
   * visitor's message ({@code retrieval_error}), counted in {@code parley.retrieval.failures} and logged.
   */
  private Future<JsonArray> retrieve(Bus bus, Turn turn) {
    if (!turn.ragEnabled()) {
      return Future.succeededFuture(new JsonArray());
    }
    return new RagClient(bus, timeouts).search(turn.botId(), turn.message(), turn.topK(), turn.minScore(), null)
        .recover(failure -> {
          ParleyException error = Failures.safe(failure, Addresses.RAG_SEARCH);
          LOG.warn("[{}] Retrieval for bot {} failed ({} {}); answering without knowledge-base context",
              bus.requestId(), turn.botId(), error.status(), error.code());
          turn.retrievalFailed(error.code());
          return Future.succeededFuture(new JsonArray());
        });
  }

  private static JsonObject reply(Turn turn, JsonObject answer, JsonObject stored) {
    return new JsonObject()
        .put("response", answer.getString(Fields.CONTENT, ""))
        .put(Fields.SESSION_ID, turn.sessionId())
        .put(Fields.MESSAGE_ID, stored.getString(Fields.MESSAGE_ID))
        .put(Fields.SOURCES, turn.publicSources())
        .put(Fields.USAGE, usage(answer));
  }

  private void stream(RoutingContext ctx, Bus bus, MemoryClient memory, Turn turn, Future<JsonArray> history) {
    history.onFailure(failure -> Replies.fail(ctx, failure)).onSuccess(messages -> {
      Sse sse = new Sse(ctx.response());
      sse.open();
      sse.event("start", new JsonObject().put(Fields.SESSION_ID, turn.sessionId()));
      String address = Addresses.STREAM_PREFIX + Ids.uuid();
      ProviderClient provider = new ProviderClient(bus, timeouts);
      DeltaCollector deltas = new DeltaCollector(ctx.vertx(),
          text -> sse.event("delta", new JsonObject().put(Fields.TEXT, text)));
      MessageConsumer<JsonObject> consumer = ctx.vertx().eventBus().consumer(address, m -> deltas.accept(m.body()));
      JsonObject request = turn.providerRequest(messages);
      Future<JsonObject> answered = consumer.completion().compose(v -> sse.clientGone()
          ? Future.failedFuture(CLIENT_GONE)
          : provider.stream(request, address));
      // the visitor left mid-answer: stop the model, and keep what the visitor was sent
      sse.onGone(() -> {
        deltas.clientGone();
        if (!answered.isComplete()) {
          provider.cancel(address);
        }
      });
      answered
          .compose(
              answer -> deltas.all(answer.getInteger(Fields.DELTAS, 0))
                  .compose(v -> ProviderHealth.afterAnswer(bus, timeouts, turn, answer))
                  .compose(v -> sse.clientGone()
                      ? store(bus, memory, turn, turn.interrupted(deltas.sent(), CLIENT_GONE, answer))
                          .compose(stored -> Future.<JsonObject>failedFuture(CLIENT_GONE))
                      : store(bus, memory, turn, turn.answered(answer)))
                  .map(stored -> new JsonObject()
                      .put(Fields.MESSAGE_ID, stored.getString(Fields.MESSAGE_ID))
                      .put(Fields.SESSION_ID, turn.sessionId())
                      .put(Fields.SOURCES, turn.publicSources())
                      .put(Fields.USAGE, usage(answer))),
              failure -> {
                ParleyException reported = Failures.safe(failure, Addresses.PROVIDER_STREAM);
                ParleyException error = sse.clientGone() ? CLIENT_GONE : reported;
                if (ErrorCodes.PROVIDER_NODE_LOST.equals(error.code())) {
                  // a node that only froze would go on calling the model for nobody
                  provider.cancel(address);
                }
                String sent = deltas.sent();
                // what the model spent before it stopped: as the provider reports it, else estimated from what came back
                JsonObject spent = reported.spent() != null ? reported.spent()
                    : deltas.text().isEmpty() ? null : Turn.estimatedSpend(request, deltas.text());
                JsonObject record = sent.isEmpty() ? turn.failed(error, spent)
                    : turn.interrupted(sent, error, spent == null ? new JsonObject() : spent);
                return ProviderHealth.afterFailure(bus, timeouts, turn, error)
                    .compose(v -> store(bus, memory, turn, record))
                    .transform(stored -> Future.failedFuture(error));
              })
          .onComplete(result -> {
            consumer.unregister();
            if (result.succeeded()) {
              JsonArray sources = turn.publicSources();
              if (!sources.isEmpty()) {
                sse.event("sources", new JsonObject().put(Fields.SOURCES, sources));
              }
              sse.event("done", result.result());
            } else {
              sse.event("error", ProviderHealth.streamError(Failures.safe(result.cause(), Addresses.PROVIDER_STREAM)));
            }
            sse.end();
          });
    });
  }

  /**
   * The bot's daily budget is spent: it answers with its {@code budget.message} and calls no model.
   * The turn is stored like any other (the answer marked {@code budget_exceeded}).
   */
  private void overBudget(RoutingContext ctx, Bus bus, Turn turn, String text, boolean stream) {
    JsonObject none = new JsonObject().put(Fields.INPUT_TOKENS, 0).put(Fields.OUTPUT_TOKENS, 0).put(Fields.COST, 0.0);
    store(bus, new MemoryClient(bus, timeouts), turn, turn.overBudget(text)).onComplete(result -> {
      if (result.failed()) {
        Replies.fail(ctx, result.cause());
        return;
      }
      String messageId = result.result().getString(Fields.MESSAGE_ID);
      if (!stream) {
        Replies.json(ctx, 200, (JsonObject stored) -> new JsonObject().put("response", text)
            .put(Fields.SESSION_ID, turn.sessionId()).put(Fields.MESSAGE_ID, messageId)
            .put(Fields.SOURCES, new JsonArray()).put(Fields.USAGE, none)).handle(result);
        return;
      }
      Sse sse = new Sse(ctx.response());
      sse.open();
      sse.event("start", new JsonObject().put(Fields.SESSION_ID, turn.sessionId()));
      sse.event("delta", new JsonObject().put(Fields.TEXT, text));
      sse.event("done", new JsonObject().put(Fields.MESSAGE_ID, messageId).put(Fields.SESSION_ID, turn.sessionId())
          .put(Fields.SOURCES, new JsonArray()).put(Fields.USAGE, none));
      sse.end();
    });
  }

  /** Stores the turn, counts its spend against the bot's budget, then tells extensions about it. */
  private Future<JsonObject> store(Bus bus, MemoryClient memory, Turn turn, JsonObject record) {
    return memory.append(record).onSuccess(stored -> {
      budgets.record(turn.botId(), Turn.spent(record));
      bus.vertx().eventBus().publish(Addresses.EVENTS_TURN_COMPLETED, turn.event(stored, record));
    });
  }

  /** Stores the user message with the failure, records the bot's provider status, and fails with the visitor's error. */
  private Future<JsonObject> storeFailure(Bus bus, MemoryClient memory, Turn turn, Throwable failure) {
    ParleyException error = Failures.safe(failure, Addresses.PROVIDER_COMPLETE);
    return store(bus, memory, turn, turn.failed(error, error.spent()))
        .onFailure(notStored -> LOG.error("[{}] The failed turn of bot {} could not be stored either", bus.requestId(),
            turn.botId()))
        .transform(stored -> ProviderHealth.afterFailure(bus, timeouts, turn, error))
        .transform(recorded -> Future.failedFuture(ProviderHealth.forVisitor(error)));
  }

  private static JsonObject usage(JsonObject answer) {
    JsonObject usage = answer.getJsonObject(Fields.USAGE, new JsonObject());
    return new JsonObject()
        .put(Fields.INPUT_TOKENS, usage.getInteger(Fields.INPUT_TOKENS, 0))
        .put(Fields.OUTPUT_TOKENS, usage.getInteger(Fields.OUTPUT_TOKENS, 0))
        .put(Fields.COST, answer.getDouble(Fields.COST, 0.0));
  }

  private static boolean wantsStream(RoutingContext ctx, JsonObject body) {
    Object flag = body.getValue("stream");
    if (flag != null && !(flag instanceof Boolean)) {
      throw ParleyException.badRequest("invalid_stream", "'stream' must be true or false");
    }
    String accept = ctx.request().getHeader("Accept");
    return Boolean.TRUE.equals(flag) || (accept != null && accept.contains("text/event-stream"));
  }

  private static String sessionId(JsonObject body) {
    Object value = body.getValue(Fields.SESSION_ID);
    if (value == null) {
      return Ids.uuid();
    }
    if (value instanceof String id && Ids.isSessionId(id)) {
      return id;
    }
    throw ParleyException.badRequest("invalid_session_id", "'session_id' must be 8 to 64 letters, digits, '-' or '_'");
  }

  private static String message(JsonObject body, JsonObject bot) {
    Object value = body.getValue("message");
    if (!(value instanceof String message) || message.isBlank()) {
      throw ParleyException.badRequest("invalid_message", "'message' must be a non-empty string");
    }
    int limit = bot.getInteger("max_message_chars", 4_000);
    if (message.codePointCount(0, message.length()) > limit) {
      throw new ParleyException(ErrorCodes.PAYLOAD_TOO_LARGE, "message_too_long",
          "The message is longer than this bot's limit of " + limit + " characters");
    }
    if (message.indexOf('\u0000') >= 0) {
      throw ParleyException.badRequest("invalid_message", "'message' must not contain NUL characters");
    }
    return message;
  }
}
