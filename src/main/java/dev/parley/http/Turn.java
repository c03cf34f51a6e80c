package dev.parley.http;

import dev.parley.common.Citations;
import dev.parley.common.Fields;
import dev.parley.common.Ids;
import dev.parley.common.ParleyException;
import dev.parley.common.TokenEstimate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** One chat turn: builds the provider request, the record to store and the event to publish. */
final class Turn {

  private static final String[] PROVIDER_FIELDS = {"id", "provider", "model", "base_url", "api_key_enc", "temperature",
      "max_tokens", "fallback_text", "fallback"};

  private final JsonObject bot;
  private final String sessionId;
  private final String message;
  private final long startedAt = System.currentTimeMillis();
  /** Made once, so that storing the turn again after a timeout cannot store it twice. */
  private final String userMessageId = Ids.uuid();
  private final String answerId = Ids.uuid();
  private JsonArray passages = new JsonArray();
  /** Why the knowledge-base search failed (the turn goes on without passages), or null. */
  private String retrievalError;

  Turn(JsonObject bot, String sessionId, String message) {
    this.bot = bot;
    this.sessionId = sessionId;
    this.message = message;
  }

  String botId() {
    return bot.getString("id");
  }

  String sessionId() {
    return sessionId;
  }

  /** The bot's provider problem {@code {code, message, at}} as of the bot lookup, or null. */
  JsonObject providerStatus() {
    return bot.getValue(Fields.PROVIDER_STATUS) instanceof JsonObject status ? status : null;
  }

  int historyLimit() {
    return bot.getInteger("history_limit", 20);
  }

  String message() {
    return message;
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
    return bot.getJsonObject("rag", new JsonObject()).getDouble("min_score", 0.3);
  }

  /** The passages retrieval found for this turn, best first: {@code {document_id, document_name, url, heading, snippet, text, score}}. */
  void passages(JsonArray found) {
    this.passages = found == null ? new JsonArray() : found;
  }

  /** Records that the knowledge-base search failed with {@code code}: the turn is answered without passages. */
  void retrievalFailed(String code) {
    this.retrievalError = code;
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
  JsonObject providerRequest(JsonArray history) {
    JsonObject settings = new JsonObject();
    for (String field : PROVIDER_FIELDS) {
      settings.put(field, bot.getValue(field));
    }
    settings.put(Fields.CITATIONS, Citations.ofBot(bot).wire());
    JsonArray messages = history.copy().add(new JsonObject().put(Fields.ROLE, "user").put(Fields.CONTENT, message));
    return new JsonObject().put(Fields.BOT, settings).put(Fields.SYSTEM, systemPrompt()).put(Fields.MESSAGES, messages)
        .put(Fields.CONTEXT, passages.copy());
  }

  private String systemPrompt() {
    String prompt = bot.getString("prompt");
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

  long latencyMs() {
    return System.currentTimeMillis() - startedAt;
  }

  /** The record of a turn whose answer is complete. */
  JsonObject answered(JsonObject answer) {
    return record(assistant(answer.getString(Fields.CONTENT, ""), "complete", null, answer), null);
  }

  /** The record of a turn whose streamed answer broke off after {@code partial}. */
  JsonObject interrupted(String partial, ParleyException error) {
    return interrupted(partial, error, new JsonObject());
  }

  /** The same, keeping the usage, provider and model of {@code answer} (the model finished, the visitor had left). */
  JsonObject interrupted(String partial, ParleyException error, JsonObject answer) {
    return record(assistant(partial, "incomplete", error.code(), answer), null);
  }

  /** The record of a turn answered with the bot's over-budget message, no model called. */
  JsonObject overBudget(String text) {
    return record(assistant(text, "complete", "budget_exceeded", new JsonObject().put(Fields.PROVIDER, "budget")), null);
  }

  /** The record of a turn that got no answer: the user message is kept with the failure. */
  JsonObject failed(ParleyException error) {
    return failed(error, null);
  }

  /**
   * The same, when the failed model call had spent tokens ({@code spent}: {@code {usage, cost, provider, model}},
   * or null): with no answer to hold them, the user message does, so usage, budgets and stats count them.
   */
  JsonObject failed(ParleyException error, JsonObject spent) {
    JsonObject record = record(null, error.code());
    if (spent != null) {
      record.getJsonObject(Fields.USER).mergeIn(spend(spent))
          .put(Fields.PROVIDER, spent.getValue(Fields.PROVIDER) instanceof String p ? p : bot.getString("provider"))
          .put(Fields.MODEL, spent.getValue(Fields.MODEL) instanceof String m ? m : bot.getString("model"));
    }
    return record;
  }

  /**
   * What a model call that reported nothing spent, estimated from characters ({@link TokenEstimate}): the
   * provider request it was sent and the text that came back. The cost is unknown here (0): prices live with
   * the provider, which reports its own estimates priced.
   */
  static JsonObject estimatedSpend(JsonObject providerRequest, String received) {
    return new JsonObject().put(Fields.USAGE, new JsonObject()
            .put(Fields.INPUT_TOKENS, TokenEstimate.ofChars(TokenEstimate.promptChars(providerRequest)))
            .put(Fields.OUTPUT_TOKENS, TokenEstimate.ofChars(received.length()))
            .put(Fields.ESTIMATED, true))
        .put(Fields.COST, 0.0);
  }

  /** What a stored turn spent, {@code {input_tokens, output_tokens, cost}}: its answer's and its user message's. */
  static JsonObject spent(JsonObject record) {
    long input = 0;
    long output = 0;
    double cost = 0;
    for (String part : new String[] {Fields.USER, Fields.ASSISTANT}) {
      if (record.getValue(part) instanceof JsonObject message) {
        input += number(message, Fields.INPUT_TOKENS).longValue();
        output += number(message, Fields.OUTPUT_TOKENS).longValue();
        cost += number(message, Fields.COST).doubleValue();
      }
    }
    return new JsonObject().put(Fields.INPUT_TOKENS, input).put(Fields.OUTPUT_TOKENS, output).put(Fields.COST, cost);
  }

  /** The body of {@code parley.events.turn.completed}. */
  JsonObject event(JsonObject stored, JsonObject record) {
    JsonObject assistant = record.getJsonObject(Fields.ASSISTANT);
    return new JsonObject()
        .put(Fields.BOT_ID, botId())
        .put(Fields.SESSION_ID, sessionId)
        .put(Fields.CONVERSATION_ID, stored.getString(Fields.CONVERSATION_ID))
        .put(Fields.MESSAGE_ID, stored.getString(Fields.MESSAGE_ID))
        .put(Fields.USER, message)
        .put(Fields.ASSISTANT, assistant == null ? null : assistant.getString(Fields.CONTENT))
        .put(Fields.STATUS, assistant == null ? "failed" : assistant.getString(Fields.STATUS))
        .put(Fields.ERROR, assistant == null ? record.getString(Fields.ERROR) : assistant.getString(Fields.ERROR))
        // who answered: the bot's fallback when its own provider was failing
        .put(Fields.PROVIDER, assistant == null ? bot.getString("provider") : assistant.getString(Fields.PROVIDER))
        .put(Fields.MODEL, assistant == null ? bot.getString("model") : assistant.getString(Fields.MODEL))
        .put(Fields.USAGE, spent(record))
        .put(Fields.LATENCY_MS, assistant == null ? latencyMs() : assistant.getLong(Fields.LATENCY_MS))
        .put(Fields.RETRIEVAL_ERROR, retrievalError)
        .put(Fields.SOURCES, sources(assistant).size())
        .put("top_score", topScore(sources(assistant)));
  }

  private static JsonArray sources(JsonObject assistant) {
    return assistant == null ? new JsonArray() : assistant.getJsonArray(Fields.SOURCES, new JsonArray());
  }

  private static Double topScore(JsonArray sources) {
    Double best = null;
    for (Object source : sources) {
      Double score = source instanceof JsonObject passage ? passage.getDouble("score") : null;
      if (score != null && (best == null || score > best)) {
        best = score;
      }
    }
    return best;
  }

  private static Number number(JsonObject json, String field) {
    return json.getValue(field) instanceof Number n ? n : 0;
  }

  /**
   * The stored usage fields of a provider answer or spend ({@code {usage:{input_tokens, output_tokens}, cost}}):
   * null when it reported none (the extractive provider, a budget answer), never a non-number.
   */
  private static JsonObject spend(JsonObject answer) {
    JsonObject usage = answer.getValue(Fields.USAGE) instanceof JsonObject u ? u : new JsonObject();
    return new JsonObject()
        .put(Fields.INPUT_TOKENS, usage.getValue(Fields.INPUT_TOKENS) instanceof Number n ? n.longValue() : null)
        .put(Fields.OUTPUT_TOKENS, usage.getValue(Fields.OUTPUT_TOKENS) instanceof Number n ? n.longValue() : null)
        .put(Fields.COST, answer.getValue(Fields.COST) instanceof Number n ? n.doubleValue() : null);
  }

  private JsonObject assistant(String content, String status, String error, JsonObject answer) {
    return new JsonObject()
        .put(Fields.CONTENT, content)
        .put(Fields.STATUS, status)
        .put(Fields.ERROR, error)
        .mergeIn(spend(answer))
        .put(Fields.LATENCY_MS, latencyMs())
        .put(Fields.PROVIDER, answer.getString(Fields.PROVIDER, bot.getString("provider")))
        .put(Fields.MODEL, answer.getString(Fields.MODEL, bot.getString("model")))
        .put(Fields.SOURCES, sources());
  }

  private JsonObject record(JsonObject assistant, String error) {
    return new JsonObject()
        .put(Fields.BOT_ID, botId())
        .put(Fields.SESSION_ID, sessionId)
        .put(Fields.USER, new JsonObject().put(Fields.ID, userMessageId).put(Fields.CONTENT, message)
            .put(Fields.CREATED_AT, startedAt))
        .put(Fields.ASSISTANT, assistant == null ? null : assistant.put(Fields.ID, answerId))
        .put(Fields.ERROR, error)
        .put(Fields.RETRIEVAL_ERROR, retrievalError);
  }
}
