package dev.parley.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonBytesTest {

  @Test
  void a_body_of_json_values_is_the_same_bytes_as_the_object_mappers() {
    JsonObject body = new JsonObject()
        .put("text", "Grüße, \"quoted\" \\ \u2028 \uD83D\uDE00 <script>")
        .put("numbers", new JsonArray().add(1).add(-2L).add(3.25).add(new BigDecimal("1e400")).add(0.1f))
        .put("flags", new JsonArray().add(true).add(false).addNull())
        .put("nested", new JsonObject().put("empty", new JsonObject()).put("list", new JsonArray()))
        .put("at", Instant.ofEpochMilli(1_796_656_480_370L))
        .put("bytes", new byte[] {0, 1, 2, (byte) 0xff})
        .putNull("missing");

    assertThat(JsonBytes.of(body).toString()).isEqualTo(body.toBuffer().toString());
  }

  /** Not JSON: only the object mapper knows how to write it. */
  record Shape(String name, int sides) {
  }

  @Test
  void a_value_only_the_object_mapper_can_write_still_encodes_through_it() {
    JsonObject body = new JsonObject().put("shape", new Shape("square", 4)).put("after", "kept");

    assertThat(JsonBytes.of(body).toJsonObject().getJsonObject("shape"))
        .isEqualTo(new JsonObject().put("name", "square").put("sides", 4));
    assertThat(JsonBytes.of(body).toString()).isEqualTo(body.toBuffer().toString());
  }
}
