package dev.parley.common;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The part of JSON Schema a tool's {@code parameters} may use, checked twice: when a bot is saved ({@link #check},
 * the schema itself) and before every call ({@link #violation}, the model's arguments against it).
 *
 * <p>Supported keywords: {@code type} (a name or a list of names among object, array, string, number, integer,
 * boolean, null), {@code properties}, {@code required}, {@code additionalProperties} (a boolean), {@code items}
 * (one schema), {@code enum}, {@code const}, {@code minLength}, {@code maxLength}, {@code minimum}, {@code maximum},
 * {@code minItems}, {@code maxItems} ({@code pattern} is not among them: a model's text against an operator's
 * regular expression is a denial-of-service risk); {@code description}, {@code title}, {@code default},
 * {@code examples} and {@code format} are annotations. Any other keyword is refused on save, so a schema never
 * promises a check that is not made. A schema nests at most {@value #MAX_DEPTH} levels.
 */
public final class ToolSchema {

  static final int MAX_DEPTH = 8;
  private static final Set<String> TYPES = Set.of("object", "array", "string", "number", "integer", "boolean", "null");
  private static final Set<String> KEYWORDS = Set.of("type", "properties", "required", "additionalProperties", "items",
      "enum", "const", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "description", "title",
      "default", "examples", "format");

  private ToolSchema() {
  }

  /** Refuses (422 naming {@code field}) a schema that is not of {@code type: "object"} within the supported subset. */
  public static void check(String field, Object schema) {
    if (!(schema instanceof JsonObject object) || !"object".equals(object.getValue("type"))) {
      throw ParleyException.invalid(field, "'" + field + "' must be a JSON Schema of type object");
    }
    checkNode(field, object, 0);
  }

  private static void checkNode(String field, JsonObject schema, int depth) {
    if (depth > MAX_DEPTH) {
      throw ParleyException.invalid(field, "'" + field + "' nests deeper than " + MAX_DEPTH + " levels");
    }
    for (String key : schema.fieldNames()) {
      if (!KEYWORDS.contains(key)) {
        throw ParleyException.invalid(field + "." + key, "'" + field + "' uses '" + key
            + "', which Parley does not check (see docs/tools.md for the supported keywords)");
      }
    }
    Object type = schema.getValue("type");
    if (type != null && !(type instanceof String name && TYPES.contains(name))
        && !(type instanceof JsonArray names && !names.isEmpty() && names.stream().allMatch(TYPES::contains))) {
      throw ParleyException.invalid(field + ".type", "'" + field + ".type' must be one of " + TYPES + " or a list of them");
    }
    if (schema.getValue("properties") != null) {
      if (!(schema.getValue("properties") instanceof JsonObject properties)) {
        throw ParleyException.invalid(field + ".properties", "'" + field + ".properties' must be an object");
      }
      for (String name : properties.fieldNames()) {
        if (!(properties.getValue(name) instanceof JsonObject child)) {
          throw ParleyException.invalid(field + ".properties." + name, "'" + field + ".properties." + name
              + "' must be a schema object");
        }
        checkNode(field + ".properties." + name, child, depth + 1);
      }
    }
    if (schema.getValue("required") != null && !(schema.getValue("required") instanceof JsonArray required
        && required.stream().allMatch(String.class::isInstance))) {
      throw ParleyException.invalid(field + ".required", "'" + field + ".required' must be a list of property names");
    }
    if (schema.getValue("additionalProperties") != null && !(schema.getValue("additionalProperties") instanceof Boolean)) {
      throw ParleyException.invalid(field + ".additionalProperties", "'" + field
          + ".additionalProperties' must be true or false");
    }
    if (schema.getValue("items") != null) {
      if (!(schema.getValue("items") instanceof JsonObject items)) {
        throw ParleyException.invalid(field + ".items", "'" + field + ".items' must be one schema object");
      }
      checkNode(field + ".items", items, depth + 1);
    }
    if (schema.getValue("enum") != null && !(schema.getValue("enum") instanceof JsonArray)) {
      throw ParleyException.invalid(field + ".enum", "'" + field + ".enum' must be a list");
    }
    for (String bound : new String[] {"minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems"}) {
      if (schema.getValue(bound) != null && !(schema.getValue(bound) instanceof Number)) {
        throw ParleyException.invalid(field + "." + bound, "'" + field + "." + bound + "' must be a number");
      }
    }
  }

  /** The first way {@code value} breaks {@code schema} (a short sentence naming the path), or null when it fits. */
  public static String violation(JsonObject schema, Object value) {
    return violation(schema, value, "arguments", 0);
  }

  private static String violation(JsonObject schema, Object value, String path, int depth) {
    if (depth > MAX_DEPTH + 1) {
      return path + " nests too deep";
    }
    Object type = schema.getValue("type");
    if (type != null) {
      boolean fits = type instanceof JsonArray names ? names.stream().anyMatch(name -> is(value, (String) name))
          : is(value, (String) type);
      if (!fits) {
        return path + " must be of type " + (type instanceof JsonArray names ? names.encode() : type);
      }
    }
    if (schema.getValue("enum") instanceof JsonArray options && !options.contains(value)) {
      return path + " must be one of " + options.encode();
    }
    if (schema.containsKey("const") && !java.util.Objects.equals(schema.getValue("const"), value)) {
      return path + " must be " + io.vertx.core.json.Json.encode(schema.getValue("const"));
    }
    if (value instanceof String text) {
      int length = text.codePointCount(0, text.length());
      if (schema.getValue("minLength") instanceof Number min && length < min.doubleValue()) {
        return path + " must be at least " + min + " characters long";
      }
      if (schema.getValue("maxLength") instanceof Number max && length > max.doubleValue()) {
        return path + " must be at most " + max + " characters long";
      }
    }
    if (value instanceof Number number) {
      if (schema.getValue("minimum") instanceof Number min && number.doubleValue() < min.doubleValue()) {
        return path + " must be at least " + min;
      }
      if (schema.getValue("maximum") instanceof Number max && number.doubleValue() > max.doubleValue()) {
        return path + " must be at most " + max;
      }
    }
    if (value instanceof JsonArray array) {
      if (schema.getValue("minItems") instanceof Number min && array.size() < min.doubleValue()) {
        return path + " must have at least " + min + " items";
      }
      if (schema.getValue("maxItems") instanceof Number max && array.size() > max.doubleValue()) {
        return path + " must have at most " + max + " items";
      }
      if (schema.getValue("items") instanceof JsonObject items) {
        for (int i = 0; i < array.size(); i++) {
          String broken = violation(items, array.getValue(i), path + "[" + i + "]", depth + 1);
          if (broken != null) {
            return broken;
          }
        }
      }
    }
    if (value instanceof JsonObject object) {
      return objectViolation(schema, object, path, depth);
    }
    return null;
  }

  private static String objectViolation(JsonObject schema, JsonObject object, String path, int depth) {
    JsonObject properties = schema.getValue("properties") instanceof JsonObject p ? p : new JsonObject();
    if (schema.getValue("required") instanceof JsonArray required) {
      for (Object name : required) {
        if (!object.containsKey((String) name) || object.getValue((String) name) == null
            && !is(null, properties.getJsonObject((String) name, new JsonObject()).getValue("type"))) {
          return path + "." + name + " is required";
        }
      }
    }
    for (String name : object.fieldNames()) {
      Object child = properties.getValue(name);
      if (child instanceof JsonObject childSchema) {
        String broken = violation(childSchema, object.getValue(name), path + "." + name, depth + 1);
        if (broken != null) {
          return broken;
        }
      } else if (Boolean.FALSE.equals(schema.getValue("additionalProperties"))) {
        return path + " has no property '" + shown(name, 64) + "'";
      }
    }
    return null;
  }

  private static boolean is(Object value, Object type) {
    if (type instanceof JsonArray names) {
      return names.stream().anyMatch(name -> is(value, name));
    }
    if (!(type instanceof String name)) {
      return true;
    }
    return switch (name) {
      case "object" -> value instanceof JsonObject;
      case "array" -> value instanceof JsonArray;
      case "string" -> value instanceof String;
      case "number" -> value instanceof Number;
      case "integer" -> value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
          && !Double.isInfinite(n.doubleValue());
      case "boolean" -> value instanceof Boolean;
      case "null" -> value == null;
      default -> false;
    };
  }

  private static String shown(String text, int max) {
    return text.length() <= max ? text : UnicodeText.prefix(text, max) + "…";
  }
}
