package dev.parley.http;

import dev.parley.chat.Caller;
import dev.parley.chat.ChatPipeline;
import dev.parley.chat.Turn;
import dev.parley.chat.VisitorErrors;
import dev.parley.common.Citations;
import dev.parley.common.Failures;
import dev.parley.common.Fields;
import dev.parley.common.Hashes;
import dev.parley.common.ParleyException;
import dev.parley.common.RagClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The MCP tools of a bot ({@link McpRoutes}): {@code ask_<bot id>} {@code {question}} runs one chat turn through the
 * {@link ChatPipeline} (the bot's prompt, knowledge base, limits and budget; stored on channel {@code api}, in one
 * session per key) and answers with the bot's text; {@code search_<bot id>} {@code {query, top_k?}} answers with the
 * knowledge-base passages found, numbered, each with its document and heading unless the bot cites nothing. A failure
 * of the tool itself (the bot cannot answer, retrieval failed) is a result with {@code isError}, as MCP asks, so the
 * agent can tell its model; wrong arguments are a JSON-RPC error (-32602).
 */
final class McpTools {

  static final int MAX_TOP_K = 20;

  private final ChatPipeline pipeline;
  private final RagClient rag;

  McpTools(ChatPipeline pipeline, RagClient rag) {
    this.pipeline = pipeline;
    this.rag = rag;
  }

  /** The tools of {@code bot} as {@code tools/list} gives them. */
  static JsonArray list(JsonObject bot) {
    String id = bot.getString(Fields.ID);
    String name = bot.getString(Fields.NAME, id);
    return new JsonArray()
        .add(new JsonObject().put(Fields.NAME, "ask_" + id).put("title", "Ask " + name)
            .put("description", "Asks the assistant \"" + name + "\" a question; it answers from its knowledge base.")
            .put("inputSchema", schema("question", "The question, in the user's words", false)))
        .add(new JsonObject().put(Fields.NAME, "search_" + id).put("title", "Search " + name + "'s knowledge base")
            .put("description", "Searches the knowledge base of \"" + name + "\" and returns the best passages.")
            .put("inputSchema", schema("query", "What to look for", true)));
  }

  /** The result of calling tool {@code tool} of {@code bot} with {@code arguments}: {@code {content, isError}}. */
  Future<JsonObject> call(String requestId, JsonObject bot, String keyId, String tool, JsonObject arguments) {
    String id = bot.getString(Fields.ID);
    if (("ask_" + id).equals(tool)) {
      String question = text(arguments, "question");
      JsonObject input = new JsonObject().put("message", question)
          .put(Fields.SESSION_ID, "mcp-" + Hashes.sha256Hex(keyId).substring(0, 32));
      ReplyPromise reply = new ReplyPromise();
      pipeline.run(Turn.start(requestId, bot, input, Caller.api(null, null)), reply);
      return reply.future().map(answer -> result(answer.response(), false))
          .recover(failure -> Future.succeededFuture(failed(failure)));
    }
    if (("search_" + id).equals(tool)) {
      String query = text(arguments, "query");
      Object topK = arguments.getValue("top_k");
      if (topK != null && !(topK instanceof Integer k && k >= 1 && k <= MAX_TOP_K)) {
        throw McpRoutes.invalidParams("top_k must be a whole number from 1 to " + MAX_TOP_K);
      }
      JsonObject rag = bot.getJsonObject("rag", new JsonObject());
      return this.rag.search(requestId, id, query, topK == null ? rag.getInteger("top_k", 4) : (Integer) topK,
              rag.getDouble("min_score", 0.3), null)
          .map(passages -> result(passages(passages, Citations.ofBot(bot) != Citations.NONE), false))
          .recover(failure -> Future.succeededFuture(failed(failure)));
    }
    throw McpRoutes.invalidParams("Unknown tool: use one that tools/list names");
  }

  private static String passages(JsonArray passages, boolean named) {
    if (passages.isEmpty()) {
      return "Nothing relevant was found in the knowledge base.";
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < passages.size(); i++) {
      JsonObject p = passages.getJsonObject(i);
      text.append(i == 0 ? "" : "\n\n").append('[').append(i + 1).append(']');
      if (named) {
        text.append(' ').append(p.getString("document_name", ""));
        String heading = p.getString("heading");
        if (heading != null && !heading.isBlank()) {
          text.append(" — ").append(heading);
        }
        String url = p.getString("url");
        if (url != null) {
          text.append(" (").append(url).append(')');
        }
      }
      text.append('\n').append(p.getString(Fields.TEXT, p.getString("snippet", "")));
    }
    return text.toString();
  }

  private static JsonObject failed(Throwable failure) {
    ParleyException shown = VisitorErrors.shown(Failures.safe(failure, "mcp tool"));
    return result(shown.getMessage(), true);
  }

  private static JsonObject result(String text, boolean error) {
    return new JsonObject().put("content", new JsonArray().add(new JsonObject().put("type", "text").put(Fields.TEXT, text)))
        .put("isError", error);
  }

  private static String text(JsonObject arguments, String field) {
    if (arguments.getValue(field) instanceof String value && !value.isBlank()) {
      return value;
    }
    throw McpRoutes.invalidParams("'" + field + "' must be a non-empty string");
  }

  private static JsonObject schema(String field, String description, boolean withTopK) {
    JsonObject properties = new JsonObject().put(field, new JsonObject().put("type", "string").put("description", description));
    if (withTopK) {
      properties.put("top_k", new JsonObject().put("type", "integer").put("minimum", 1).put("maximum", MAX_TOP_K)
          .put("description", "How many passages (the bot's setting when left out)"));
    }
    return new JsonObject().put("type", "object").put("properties", properties).put("required", new JsonArray().add(field));
  }
}
