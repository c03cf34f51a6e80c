package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The search preview's {@code top_k} is a whole number from 1 to 50, as documented: a fraction or a number past
 * the range of an int is a 422 naming it, not cut down to another number that then passes.
 */
@ParleyTest
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SearchPreviewFieldsTest {

  static TestApp app;
  static String botId;

  @BeforeAll
  static void bot() {
    botId = Await.result(app.createBot(new JsonObject().put("name", "Preview"))).getString("id");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2.5", "4294967297", "18446744073709551620", "1e3", "0", "51", "\"4\""})
  void a_top_k_that_is_not_a_whole_number_from_1_to_50_is_422(String topK) {
    HttpResponse<Buffer> response = Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/search")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"query\": \"opening hours\", \"top_k\": " + topK + "}")));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(422);
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("top_k");
  }
}
