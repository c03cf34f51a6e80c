package dev.parley.http;

import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * How a conversation export is written, page by page. {@code jsonl}: one conversation per line
 * {@code {conversation_id, session_id, started_at, messages: [{role, content, status, sources, feedback, input_tokens,
 * output_tokens, cost, latency_ms, provider, model, error, at, author_name}], state, state_reason, assignee_name}}
 * (the state of humans in the conversation, issue 14; {@code author_name}: the agent of an agent message), ending with {@code {"export_complete": true,
 * "conversations": n}}. {@code csv} (RFC 4180, CRLF): one row per message with the conversation's columns repeated;
 * a text cell starting with {@code = + - @}, a tab or a carriage return gets a leading {@code '} so that no
 * spreadsheet runs it as a formula. Times are ISO 8601 in UTC.
 */
enum ExportFormat {

  JSONL("application/x-ndjson; charset=utf-8", "jsonl"),
  CSV("text/csv; charset=utf-8", "csv");

  private static final String[] CSV_COLUMNS = {"conversation_id", "session_id", "started_at", "role", "content", "status",
      "sources", "feedback", "feedback_comment", "input_tokens", "output_tokens", "cost", "latency_ms", "provider", "model",
      "error", "at", "state", "state_reason", "assignee_name", "author_name"};

  final String contentType;
  final String extension;

  ExportFormat(String contentType, String extension) {
    this.contentType = contentType;
    this.extension = extension;
  }

  /** The {@code format} query parameter ({@code jsonl} when absent); 400 for any other. */
  static ExportFormat of(String name) {
    if (name == null || name.equals("jsonl")) {
      return JSONL;
    }
    if (name.equals("csv")) {
      return CSV;
    }
    throw ParleyException.badRequest("invalid_format", "'format' must be jsonl or csv");
  }

  /** What comes before the first conversation: the CSV header row. */
  Buffer head() {
    return this == CSV ? Buffer.buffer(String.join(",", CSV_COLUMNS) + "\r\n") : Buffer.buffer();
  }

  /** A page of conversations as the memory component answers them ({@code parley.memory.export.page}). */
  Buffer page(JsonArray conversations) {
    Buffer out = Buffer.buffer(conversations.size() * 512);
    for (Object item : conversations) {
      JsonObject conversation = (JsonObject) item;
      if (this == JSONL) {
        out.appendString(line(conversation).encode()).appendString("\n");
      } else {
        rows(conversation, out);
      }
    }
    return out;
  }

  /** What ends a complete export: the JSONL count line (a CSV ends with its last row). */
  Buffer tail(long conversations) {
    return this == CSV ? Buffer.buffer() : Buffer.buffer(new JsonObject().put("export_complete", true)
        .put("conversations", conversations).encode() + "\n");
  }

  private static JsonObject line(JsonObject conversation) {
    JsonArray messages = new JsonArray();
    for (Object item : conversation.getJsonArray(Fields.MESSAGES)) {
      JsonObject m = (JsonObject) item;
      String rating = m.getString("feedback");
      messages.add(new JsonObject()
          .put(Fields.ROLE, m.getString(Fields.ROLE))
          .put(Fields.CONTENT, m.getString(Fields.CONTENT))
          .put(Fields.STATUS, m.getString(Fields.STATUS))
          .put(Fields.SOURCES, m.getJsonArray(Fields.SOURCES))
          .put("feedback", rating == null ? null
              : new JsonObject().put(Fields.RATING, rating).put(Fields.COMMENT, m.getString("feedback_comment")))
          .put(Fields.INPUT_TOKENS, m.getValue(Fields.INPUT_TOKENS))
          .put(Fields.OUTPUT_TOKENS, m.getValue(Fields.OUTPUT_TOKENS))
          .put(Fields.COST, m.getValue(Fields.COST))
          .put(Fields.LATENCY_MS, m.getValue(Fields.LATENCY_MS))
          .put(Fields.PROVIDER, m.getString(Fields.PROVIDER))
          .put(Fields.MODEL, m.getString(Fields.MODEL))
          .put(Fields.ERROR, m.getString(Fields.ERROR))
          .put("at", iso(m.getLong(Fields.CREATED_AT)))
          .put("author_name", m.getString("author_name")));
    }
    return new JsonObject()
        .put(Fields.CONVERSATION_ID, conversation.getString(Fields.CONVERSATION_ID))
        .put(Fields.SESSION_ID, conversation.getString(Fields.SESSION_ID))
        .put("started_at", iso(conversation.getLong("started_at")))
        .put(Fields.MESSAGES, messages)
        .put(Fields.STATE, conversation.getString(Fields.STATE))
        .put("state_reason", conversation.getString("state_reason"))
        .put(Fields.ASSIGNEE_NAME, conversation.getString(Fields.ASSIGNEE_NAME));
  }

  private static void rows(JsonObject conversation, Buffer out) {
    JsonObject line = line(conversation);
    JsonArray messages = line.getJsonArray(Fields.MESSAGES);
    if (messages.isEmpty()) {
      messages.add(new JsonObject());
    }
    for (Object item : messages) {
      JsonObject m = (JsonObject) item;
      JsonObject feedback = m.getJsonObject("feedback");
      JsonArray sources = m.getJsonArray(Fields.SOURCES);
      Object[] cells = {line.getString(Fields.CONVERSATION_ID), line.getString(Fields.SESSION_ID),
          line.getString("started_at"), m.getString(Fields.ROLE), m.getString(Fields.CONTENT), m.getString(Fields.STATUS),
          sources == null || sources.isEmpty() ? null : sources.encode(),
          feedback == null ? null : feedback.getString(Fields.RATING), feedback == null ? null : feedback.getString(Fields.COMMENT),
          m.getValue(Fields.INPUT_TOKENS), m.getValue(Fields.OUTPUT_TOKENS), m.getValue(Fields.COST),
          m.getValue(Fields.LATENCY_MS), m.getString(Fields.PROVIDER), m.getString(Fields.MODEL), m.getString(Fields.ERROR),
          m.getString("at"), line.getString(Fields.STATE), line.getString("state_reason"),
          line.getString(Fields.ASSIGNEE_NAME), m.getString("author_name")};
      for (int i = 0; i < cells.length; i++) {
        if (i > 0) {
          out.appendString(",");
        }
        out.appendString(cell(cells[i]));
      }
      out.appendString("\r\n");
    }
  }

  /** One CSV cell: numbers as they are; text guarded against formulas, quoted when it must be. */
  static String cell(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Number) {
      return value.toString();
    }
    String text = value.toString();
    if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
      text = "'" + text;
    }
    if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0
        || text.startsWith(" ") || text.endsWith(" ")) {
      return '"' + text.replace("\"", "\"\"") + '"';
    }
    return text;
  }

  private static String iso(Long epochMs) {
    return epochMs == null ? null : Instant.ofEpochMilli(epochMs).toString();
  }
}
