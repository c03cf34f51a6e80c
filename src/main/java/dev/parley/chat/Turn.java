package dev.parley.chat;

import dev.parley.common.Citations;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.PiiRedactor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;

/**
 * One chat turn as an immutable value: each step of the {@link ChatPipeline} returns a new turn with what it
 * added. {@code input} is the visitor's request as sent; {@code sessionId} and {@code message} are set by
 * {@link MessageLimits}, {@code history}, {@code passages}, {@code retrievalError} and {@code nothingFound} by
 * {@link Context}, the
 * {@code answer} by {@link BudgetCheck} (the budget message) or {@link ModelAnswer}, and {@code record},
 * {@code stored} (or {@code storeFailure}) by {@link StoreTurn}; {@code caller} is who the edge found the turn is
 * for ({@link Caller}). The message ids are made once, at the start,
 * so that storing the turn again after a timeout cannot store it twice. {@code held} is the conversation's state
 * ({@code waiting} or {@code human}) when {@link HandoffGate} kept the message from the bot (no model is called),
 * with {@code stored} what memory answered for the visitor's message.
 */
public record Turn(String requestId, JsonObject bot, JsonObject input, long startedAt, String userMessageId,
    String answerId, String sessionId, String message, JsonArray history, JsonArray passages, String retrievalError,
    boolean nothingFound, Answer answer, JsonObject record, JsonObject stored, ParleyException storeFailure,
    Caller caller, String held) {

  /** What the model is told when the bot's documents do not answer the message. */
  static final String NOTHING_FOUND = "The knowledge base was searched and has nothing about this message. If "
      + "answering needs facts about this business or its documents, say that you do not know rather than guessing.";

  private static final String[] PROVIDER_FIELDS = {"id", "provider", "model", "base_url", "api_key_enc", "temperature",
      "max_tokens", "fallback_text", "fallback"};

  /** A turn of {@code bot} for the visitor's request {@code input}, made for the request {@code requestId}. */
  public static Turn start(String requestId, JsonObject bot, JsonObject input) {
    return start(requestId, bot, input, Caller.WEB);
  }

  /** A turn of {@code bot} for {@code caller}'s request {@code input}, made for the request {@code requestId}. */
  public static Turn start(String requestId, JsonObject bot, JsonObject input, Caller caller) {
    return new Turn(requestId, bot, input, System.currentTimeMillis(), Ids.ordered(), Ids.ordered(), null, null,
        new JsonArray(), new JsonArray(), null, false, null, null, null, null, caller, null);
  }

  Turn withVisitor(String sessionId, String message) {
    return new Turn(requestId, bot, input, startedAt, userMessageId, answerId, sessionId, message, history, passages,
        retrievalError, nothingFound, answer, record, stored, storeFailure, caller, held);
  }

  /**
   * The session's history and what retrieval found (best first), or why it failed ({@code retrievalError}), or
   * that it abstained ({@code nothingFound}: the bot has documents, none answers the message).
   */
  Turn withContext(JsonArray history, JsonArray passages, String retrievalError, boolean nothingFound) {
    return new Turn(requestId, bot, input, startedAt, userMessageId, answerId, sessionId, message, history,
        passages == null ? new JsonArray() : passages, retrievalError, nothingFound, answer, record, stored,
        storeFailure, caller, held);
  }

  Turn withAnswer(Answer answer) {
    return new Turn(requestId, bot, input, startedAt, userMessageId, answerId, sessionId, message, history, passages,
        retrievalError, nothingFound, answer, record, stored, storeFailure, caller, held);
  }

  /** The record sent to memory, and what memory answered ({@code stored}) or why it could not store it. */
  Turn withStored(JsonObject record, JsonObject stored, ParleyException storeFailure) {
    return new Turn(requestId, bot, input, startedAt, userMessageId, answerId, sessionId, message, history, passages,
        retrievalError, nothingFound, answer, record, stored, storeFailure, caller, held);
  }

  /** The visitor's message was stored for the people of a conversation in state {@code state}: the turn ends here. */
  Turn withHeld(String state, JsonObject stored) {
    return new Turn(requestId, bot, input, startedAt, userMessageId, answerId, sessionId, message, history, passages,
        retrievalError, nothingFound, answer, record, stored, storeFailure, caller, state);
  }

  /** The bot's {@code handoff} settings ({} when it has none). */
  JsonObject handoff() {
    return bot.getJsonObject(Fields.HANDOFF, new JsonObject());
  }

  /** Whether people can be asked for: the bot's handoff is on and the caller is a visitor (API callers never are). */
  boolean handoffEnabled() {
    return !caller.stateless() && handoff().getBoolean("enabled", false);
  }

  public String botId() {
    return bot.getString("id");
  }

  /** The bot's provider problem {@code {code, message, at}} as of the bot lookup, or null. */
  JsonObject providerStatus() {
    return bot.getValue(Fields.PROVIDER_STATUS) instanceof JsonObject status ? status : null;
  }

  /** Where the bot redacts personal data ({@code redact_pii}). */
  PiiRedactor.Mode redaction() {
    return PiiRedactor.Mode.of(bot);
  }

  int historyLimit() {
    return bot.getInteger("history_limit", 20);
  }

  /** Whether the bot answers from its knowledge base (the search finds nothing when it has no ready documents). */
  boolean ragEnabled() {
    JsonObject rag = bot.getJsonObject("rag");
    return rag != null && rag.getBoolean("enabled", false);
  }

  int topK() {
    return bot.getJsonObject("rag", new JsonObject()).getInteger("top_k", 4);
  }

  double minScore() {
    return bot.getJsonObject("rag", new JsonObject()).getDouble("min_score", 0.09);
  }

  long latencyMs() {
    return System.currentTimeMillis() - startedAt;
  }

  /**
   * The error the turn ends with, or null when it is answered: the model's failure (or the visitor's leaving);
   * else, when the answer could not be stored, that failure.
   */
  public ParleyException error() {
    ParleyException failed = answer == null ? null : answer.error();
    return failed != null ? failed : storeFailure;
  }

  /** The answer's sources as clients and the message log see them (no full passage text). */
  JsonArray sources() {
    JsonArray sources = new JsonArray();
    for (Object item : passages) {
      JsonObject p = (JsonObject) item;
      sources.add(new JsonObject()
          .put(Fields.DOCUMENT_ID, p.getString(Fields.DOCUMENT_ID))
          .put("document_name", p.getString("document_name"))
          .put("url", p.getString("url"))
          .put("heading", p.getString("heading"))
          .put("snippet", p.getString("snippet"))
          .put("score", p.getDouble("score")));
    }
    return sources;
  }

  /** The answer's sources as the bot's citation mode lets its visitors see them. */
  JsonArray publicSources() {
    return Citations.ofBot(bot).shape(sources());
  }

  /**
   * The provider request: the bot's prompt, then (when retrieval found passages) the numbered
   * passages with their document and heading, the history and the user's message. The passages
   * also travel as {@code context}, for providers that answer from them directly (extractive).
   */
  JsonObject providerRequest() {
    JsonObject settings = new JsonObject();
    for (String field : PROVIDER_FIELDS) {
      settings.put(field, bot.getValue(field));
    }
    settings.put(Fields.CITATIONS, Citations.ofBot(bot).wire());
    // a new list of the history's messages, not copies of them: the provider only reads a request's messages
    JsonArray messages = new JsonArray(new ArrayList<>(history.size() + 1));
    for (int i = 0; i < history.size(); i++) {
      messages.add(history.getValue(i));
    }
    messages.add(new JsonObject().put(Fields.ROLE, "user").put(Fields.CONTENT, message));
    return new JsonObject().put(Fields.BOT, settings).put(Fields.SYSTEM, systemPrompt()).put(Fields.MESSAGES, messages)
        .put(Fields.CONTEXT, passages.copy());
  }

  private String systemPrompt() {
    String prompt = bot.getString("prompt");
    if (passages.isEmpty() && nothingFound) {
      return (prompt == null || prompt.isBlank() ? "" : prompt.strip() + "\n\n") + NOTHING_FOUND;
    }
    if (passages.isEmpty()) {
      return prompt;
    }
    StringBuilder system = new StringBuilder();
    if (prompt != null && !prompt.isBlank()) {
      system.append(prompt.strip()).append("\n\n");
    }
    system.append("Answer using the knowledge-base passages below when they are relevant. If they do not contain ")
        .append("the answer, say so rather than guessing. ")
        .append(Citations.ofBot(bot) == Citations.NONE ? "Do not name the documents or their headings.\n"
            : "Mention the document a fact comes from.\n");
    for (int i = 0; i < passages.size(); i++) {
      JsonObject p = passages.getJsonObject(i);
      String heading = p.getString("heading");
      system.append("\n[").append(i + 1).append("] ").append(p.getString("document_name"));
      if (heading != null && !heading.isBlank()) {
        system.append(" — ").append(heading);
      }
      system.append("\n").append(p.getString(Fields.TEXT, p.getString("snippet", ""))).append("\n");
    }
    return system.toString();
  }
}
