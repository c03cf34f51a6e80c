package dev.parley.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import dev.parley.common.UnicodeText;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;

/**
 * Parses request JSON the way Vert.x does (same value types), but refuses a field that appears twice in
 * one object, at any depth: parsers disagree on which of the two wins, so a body that means one thing to a
 * proxy or a log and another to Parley is refused with 400 {@code invalid_json} naming the field. It has its
 * own Jackson factory; Vert.x's global codec is left as it is.
 */
final class StrictJson {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private StrictJson() {
  }

  /** The one JSON value in {@code bytes}: a JsonObject, JsonArray, String, Number, Boolean or null. */
  static Object parse(Buffer bytes) {
    try (JsonParser parser = FACTORY.createParser(bytes.getBytes())) {
      if (parser.nextToken() == null) {
        throw malformed();
      }
      Object value = value(parser, "");
      if (parser.nextToken() != null) {
        throw malformed();
      }
      return value;
    } catch (StreamConstraintsException tooDeep) {
      throw ParleyException.badRequest("invalid_json", "The request body is nested too deeply or has a value too long");
    } catch (IOException unreadable) {
      throw malformed();
    }
  }

  private static Object value(JsonParser parser, String path) throws IOException {
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT:
        return object(parser, path);
      case START_ARRAY:
        JsonArray array = new JsonArray();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(value(parser, path + "[" + array.size() + "]"));
        }
        return array;
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return parser.getNumberValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw malformed();
    }
  }

  private static JsonObject object(JsonParser parser, String path) throws IOException {
    JsonObject object = new JsonObject();
    for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
      String field = path.isEmpty() ? name : path + "." + name;
      if (object.containsKey(name)) {
        throw new ParleyException(ErrorCodes.BAD_REQUEST, "invalid_json",
            "The request body has the field '" + shown(field) + "' more than once", shown(field), 0);
      }
      parser.nextToken();
      object.put(name, value(parser, field));
    }
    if (parser.currentToken() != JsonToken.END_OBJECT) {
      throw malformed();
    }
    return object;
  }

  private static String shown(String field) {
    return field.length() > 100 ? UnicodeText.prefix(field, 100) + "…" : field;
  }

  private static ParleyException malformed() {
    return ParleyException.badRequest("invalid_json", "The request body is not valid JSON");
  }
}
