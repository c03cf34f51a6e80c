package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import dev.parley.common.UnicodeText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Refuses request JSON whose strings are not Unicode text: a {@code \ud800} escape (or its CESU-8
 * bytes) decodes to a lone surrogate, which no UTF-8 store or response can hold, so it would silently
 * become {@code ?} in the model's input, the history and the logs. Every key and string value of a body,
 * at any depth, is checked; the first bad one is a 400 {@code invalid_text} naming its path. A surrogate
 * pair (an emoji, say) is text and passes.
 */
final class JsonText {

  private JsonText() {
  }

  /** {@code body} itself, once every key and string in it is well-formed Unicode. */
  static JsonObject valid(JsonObject body) {
    check(body, "");
    return body;
  }

  private static void check(Object value, String path) {
    if (value instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
        String field = path.isEmpty() ? key : path + "." + key;
        if (!UnicodeText.wellFormed(key)) {
          throw refused(path.isEmpty() ? "a field name" : "a field name in '" + path + "'", path);
        }
        check(object.getValue(key), field);
      }
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        check(array.getValue(i), path + "[" + i + "]");
      }
    } else if (value instanceof String text && !UnicodeText.wellFormed(text)) {
      throw refused("'" + path + "'", path);
    }
  }

  private static ParleyException refused(String what, String path) {
    return new ParleyException(ErrorCodes.BAD_REQUEST, ErrorCodes.INVALID_TEXT, what
        + " holds a lone surrogate (\\uD800 to \\uDFFF without its pair); send valid Unicode text",
        path.isEmpty() ? null : path, 0);
  }
}
