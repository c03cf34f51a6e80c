package dev.parley.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeAnthropic;
import dev.parley.fake.FakeModelServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

class AnthropicToolCallingTest extends ToolCallingContractTest {

  @Override
  Future<? extends FakeModelServer> startFake(Vertx vertx) {
    return FakeAnthropic.start(vertx);
  }

  @Override
  String provider() {
    return "anthropic";
  }

  @Override
  String model() {
    return "claude-3-5-haiku-20241022";
  }

  @Override
  JsonObject config(String baseUrl) {
    return ProviderTestSupport.config(dataDir, "http://127.0.0.1:9", baseUrl);
  }

  @Override
  void assertToolsSent(JsonObject upstream) {
    assertThat(upstream.getJsonArray("tools").getJsonObject(0)).isEqualTo(new JsonObject().put("name", "lookup_order")
        .put("description", "Finds an order by its id").put("input_schema", ORDER_SCHEMA));
    assertThat(upstream.getJsonArray("tools")).hasSize(2);
    assertThat(upstream.getValue("tool_choice")).isEqualTo(new JsonObject().put("type", "tool").put("name", "lookup_order"));
  }

  @Override
  void assertRequiredChoiceSent(JsonObject upstream) {
    assertThat(upstream.getValue("tool_choice")).isEqualTo(new JsonObject().put("type", "any"));
  }

  @Override
  void assertFollowUpSent(JsonObject upstream) {
    JsonArray messages = upstream.getJsonArray("messages");
    assertThat(messages).hasSize(5);
    assertThat(messages.getJsonObject(3)).isEqualTo(new JsonObject().put("role", "assistant").put("content", new JsonArray()
        .add(new JsonObject().put("type", "text").put("text", "Let me check."))
        .add(new JsonObject().put("type", "tool_use").put("id", LOOKUP.id()).put("name", "lookup_order")
            .put("input", new JsonObject(LOOKUP.arguments())))
        .add(new JsonObject().put("type", "tool_use").put("id", WEATHER.id()).put("name", "get_weather")
            .put("input", new JsonObject(WEATHER.arguments())))));
    // the results of one step travel together in one user turn
    assertThat(messages.getJsonObject(4)).isEqualTo(new JsonObject().put("role", "user").put("content", new JsonArray()
        .add(new JsonObject().put("type", "tool_result").put("tool_use_id", LOOKUP.id())
            .put("content", "{\"status\":\"shipped\"}"))
        .add(new JsonObject().put("type", "tool_result").put("tool_use_id", WEATHER.id())
            .put("content", "The weather service timed out").put("is_error", true))));
  }
}
