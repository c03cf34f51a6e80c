package dev.parley.common;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

/**
 * JSON bodies as bytes from Jackson's streaming encoder. {@link JsonObject#toBuffer()} goes through the object mapper
 * when jackson-databind is on the class path, which makes a serializer provider per call and looks up each map's
 * serializer again (issue 17: ~5 KB of a plain turn's allocations, and most of the time of a 10,000-document list).
 * Bodies hold JSON types only; anything else still goes through the mapper.
 */
public final class JsonBytes {

  private static final JacksonCodec STREAMING = new JacksonCodec();

  private JsonBytes() {
  }

  public static Buffer of(JsonObject json) {
    try {
      return STREAMING.toBuffer(json, false);
    } catch (EncodeException notPlainJson) {
      return json.toBuffer();
    }
  }
}
