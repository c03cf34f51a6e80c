package dev.parley.common;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A bot's {@code widget.citations}: how much of an answer's sources its visitors get. The server
 * enforces it in every public response (the chat answer, the stream's {@code sources} and {@code done}
 * events, the session view), and the model's prompt and the extractive answer follow it; the admin
 * routes keep every field. Sources are stored whole, so a change of mode applies to earlier answers too.
 */
public enum Citations {

  /** No sources at all. */
  NONE("none"),
  /** Each document once: {@code {document_name, url}}. */
  TITLES("titles"),
  /** Each passage: {@code {document_id, document_name, url, heading, snippet, score}}. */
  SNIPPETS("snippets");

  /** The mode of a bot that names none. */
  public static final Citations DEFAULT = TITLES;

  private static final List<String> PASSAGE_FIELDS = Passage.SOURCE_FIELDS;

  private final String wire;

  Citations(String wire) {
    this.wire = wire;
  }

  /** The name in settings and on the bus. */
  public String wire() {
    return wire;
  }

  /** The mode a setting names; anything else (none set, unknown) is {@link #DEFAULT}. */
  public static Citations of(Object value) {
    for (Citations mode : values()) {
      if (mode.wire.equals(value)) {
        return mode;
      }
    }
    return DEFAULT;
  }

  /** The mode of a bot (its {@code widget.citations}). */
  public static Citations ofBot(JsonObject bot) {
    return of(bot.getJsonObject("widget", new JsonObject()).getValue("citations"));
  }

  /** What a visitor may see of {@code sources} (as stored with an answer): a new array, never the one given. */
  public JsonArray shape(JsonArray sources) {
    JsonArray shaped = new JsonArray();
    if (this == NONE || sources == null) {
      return shaped;
    }
    Set<String> documents = new HashSet<>();
    for (Object item : sources) {
      if (!(item instanceof JsonObject source)) {
        continue;
      }
      if (this == TITLES) {
        String name = source.getString(Passage.DOCUMENT_NAME);
        String url = source.getString(Passage.URL);
        if (documents.add(name + '\n' + url)) {
          shaped.add(new JsonObject().put(Passage.DOCUMENT_NAME, name).put(Passage.URL, url));
        }
      } else {
        JsonObject passage = new JsonObject();
        for (String field : PASSAGE_FIELDS) {
          passage.put(field, source.getValue(field));
        }
        shaped.add(passage);
      }
    }
    return shaped;
  }
}
