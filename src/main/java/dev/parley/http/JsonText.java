package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import dev.parley.common.UnicodeText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Refuses request JSON whose strings are not text: a {@code \ud800} escape (or its CESU-8 bytes) decodes to a
 * lone surrogate, which no UTF-8 store or response can hold, so it would silently become {@code ?} in the model's
 * input, the history and the logs; a {@code \u0000} (NUL) cannot be stored by PostgreSQL at all and means something
 * else to a mail, a tool or a model than the operator saw. Every key and string value of a body, at any depth, is
 * checked; the first bad one is a 400 {@code invalid_text} naming its path. A surrogate pair (an emoji, say) is text
 * and passes.
 */
final class JsonText {

  private JsonText() {
  }

  /** {@code body} (any parsed JSON value) itself, once every key and string in it is well-formed Unicode without NUL. */
  static <T> T valid(T body) {
    check(body, "");
    return body;
  }

  private static void check(Object value, String path) {
    if (value instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
        String field = path.isEmpty() ? key : path + "." + key;
        String problem = problem(key);
        if (problem != null) {
          throw refused(path.isEmpty() ? "a field name" : "a field name in '" + path + "'", path, problem);
        }
        check(object.getValue(key), field);
      }
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        check(array.getValue(i), path + "[" + i + "]");
      }
    } else if (value instanceof String text && problem(text) != null) {
      throw refused("'" + path + "'", path, problem(text));
    }
  }

  private static String problem(String text) {
    if (text.indexOf('\u0000') >= 0) {
      return " holds a NUL character (\\u0000); send text without it";
    }
    return UnicodeText.wellFormed(text) ? null
        : " holds a lone surrogate (\\uD800 to \\uDFFF without its pair); send valid Unicode text";
  }

  private static ParleyException refused(String what, String path, String problem) {
    return new ParleyException(ErrorCodes.BAD_REQUEST, ErrorCodes.INVALID_TEXT, what + problem,
        path.isEmpty() ? null : path, 0);
  }
}
