package dev.parley.http;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a request body that must be one JSON object. Every JSON route reads its body here, so every one
 * refuses malformed JSON and duplicate fields ({@link StrictJson}) with 400 {@code invalid_json}.
 */
final class JsonBodies {

  private JsonBodies() {
  }

  private static final String PARSED = "parley.json_body";

  /** The body as a JSON object (parsed once per request; later calls get the same object). */
  static JsonObject object(RoutingContext ctx) {
    JsonObject parsed = ctx.get(PARSED);
    if (parsed != null) {
      return parsed;
    }
    parsed = JsonText.valid(parse(ctx));
    ctx.put(PARSED, parsed);
    return parsed;
  }

  /** The body as {@link #object} parsed it, or null when no handler read it as JSON. */
  static JsonObject parsed(RoutingContext ctx) {
    return ctx.get(PARSED);
  }

  /**
   * Whether the request's Content-Type is the media type {@code type} (any case, with or without parameters such as
   * {@code charset}); {@code application/json-seq} or {@code application/jsonp} is not {@code application/json}.
   */
  static boolean hasType(RoutingContext ctx, String type) {
    String header = ctx.request().getHeader("Content-Type");
    if (header == null) {
      return false;
    }
    int parameters = header.indexOf(';');
    return (parameters < 0 ? header : header.substring(0, parameters)).strip().equalsIgnoreCase(type);
  }

  private static JsonObject parse(RoutingContext ctx) {
    if (!hasType(ctx, "application/json")) {
      throw new ParleyException(ErrorCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
          "Send the body as application/json");
    }
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
      throw ParleyException.badRequest("invalid_json", "The request body must be a JSON object");
    }
    if (StrictJson.parse(ctx.body().buffer()) instanceof JsonObject object) {
      return object;
    }
    throw ParleyException.badRequest("invalid_json", "The request body must be a JSON object");
  }
}
