package dev.parley.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeModelServer;
import dev.parley.fake.FakeOpenAi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

class OpenAiToolCallingTest extends ToolCallingContractTest {

  @Override
  Future<? extends FakeModelServer> startFake(Vertx vertx) {
    return FakeOpenAi.start(vertx);
  }

  @Override
  String provider() {
    return "openai";
  }

  @Override
  String model() {
    return "gpt-4o-mini";
  }

  @Override
  JsonObject config(String baseUrl) {
    return ProviderTestSupport.config(dataDir, baseUrl, "http://127.0.0.1:9");
  }

  @Override
  void assertToolsSent(JsonObject upstream) {
    assertThat(upstream.getJsonArray("tools").getJsonObject(0)).isEqualTo(new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "lookup_order").put("description", "Finds an order by its id")
            .put("parameters", ORDER_SCHEMA)));
    assertThat(upstream.getJsonArray("tools")).hasSize(2);
    assertThat(upstream.getValue("tool_choice")).isEqualTo(new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "lookup_order")));
  }

  @Override
  void assertRequiredChoiceSent(JsonObject upstream) {
    assertThat(upstream.getValue("tool_choice")).isEqualTo("required");
  }

  @Override
  void assertFollowUpSent(JsonObject upstream) {
    JsonArray messages = upstream.getJsonArray("messages");
    assertThat(messages).hasSize(7);
    assertThat(messages.getJsonObject(4)).isEqualTo(new JsonObject().put("role", "assistant").put("content", "Let me check.")
        .put("tool_calls", new JsonArray()
            .add(new JsonObject().put("id", LOOKUP.id()).put("type", "function")
                .put("function", new JsonObject().put("name", "lookup_order").put("arguments", LOOKUP.arguments())))
            .add(new JsonObject().put("id", WEATHER.id()).put("type", "function")
                .put("function", new JsonObject().put("name", "get_weather").put("arguments", WEATHER.arguments())))));
    assertThat(messages.getJsonObject(5)).isEqualTo(new JsonObject().put("role", "tool").put("tool_call_id", LOOKUP.id())
        .put("content", "{\"status\":\"shipped\"}"));
    assertThat(messages.getJsonObject(6)).isEqualTo(new JsonObject().put("role", "tool").put("tool_call_id", WEATHER.id())
        .put("content", "The weather service timed out"));
  }
}
