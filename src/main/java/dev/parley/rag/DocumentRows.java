package dev.parley.rag;

import dev.parley.common.UnicodeText;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** The SQL row a new document starts as, and the names documents are shown by. */
final class DocumentRows {

  private DocumentRows() {
  }

  /** The columns every new document starts with: pending, nothing embedded yet. */
  static Map<String, Object> pending(String id, String botId, long now) {
    Map<String, Object> row = new HashMap<>();
    row.put("id", id);
    row.put("bot_id", botId);
    row.put("status", "pending");
    row.put("error", null);
    row.put("chunks_total", 0);
    row.put("chunks_done", 0);
    row.put("content_hash", null);
    row.put("embedding_model", null);
    row.put("created_at", now);
    row.put("updated_at", now);
    row.put("synced_at", null);
    return row;
  }

  /** A new URL document's row, named {@code name} or else after its address. */
  static Map<String, Object> url(String id, String botId, long now, URI uri, String name, String parentId) {
    Map<String, Object> row = pending(id, botId, now);
    row.put("source", "url");
    row.put("url", uri.toString());
    row.put("name", name(name, urlName(uri)));
    row.put("mime", null);
    row.put("size_bytes", null);
    row.put("parent_id", parentId);
    return row;
  }

  /** A document name: {@code value} or else {@code fallback}, one line without direction controls, 200 characters. */
  static String name(String value, String fallback) {
    String name = value == null || value.isBlank() ? fallback : value.strip();
    name = name.replaceAll("[\\p{Cntrl}]", " ").replaceAll("[\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]", "");
    return UnicodeText.prefix(name, 200);
  }

  /** The name a URL document gets until its page gives a title: host and path. */
  static String urlName(URI uri) {
    return uri.getHost() + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }
}
