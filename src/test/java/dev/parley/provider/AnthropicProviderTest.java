package dev.parley.provider;

import static dev.parley.provider.ProviderTestSupport.client;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeAnthropic;
import dev.parley.fake.FakeModelServer;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

class AnthropicProviderTest extends ProviderContractTest {

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
  double inputPrice() {
    return 0.8;
  }

  @Override
  double outputPrice() {
    return 4.0;
  }

  @Override
  String receivedKey(MultiMap headers) {
    return headers.get("x-api-key");
  }

  @Override
  int overloadStatus() {
    return 529;
  }

  @Override
  JsonObject config(String baseUrl) {
    return ProviderTestSupport.config(dataDir, "http://127.0.0.1:9/v1", baseUrl);
  }

  @Override
  void assertVendorFormat(JsonObject upstream, MultiMap headers, boolean stream) {
    assertThat(headers.get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(headers.get("authorization")).isNull();
    assertThat(upstream.getString("model")).isEqualTo("claude-3-5-haiku-20241022");
    assertThat(upstream.getString("system")).isEqualTo(systemPrompt());
    assertThat(objects(upstream.getJsonArray("messages"))).containsExactly(
        message("user", "Hi there"),
        message("assistant", "Hello!"),
        message("user", "What is Parley?"));
    assertThat(upstream.getInteger("max_tokens")).isEqualTo(1024);
    assertThat(upstream.containsKey("temperature")).isFalse();
    assertThat(upstream.getBoolean("stream")).isEqualTo(stream);
  }

  @Test
  void bot_settings_are_sent_with_the_temperature_capped_at_one(Vertx vertx, VertxTestContext ctx) {
    client(vertx).complete(ProviderTestSupport.request(bot().put("temperature", 1.4).put("max_tokens", 300)))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          JsonObject upstream = fake.requests().get(0);
          assertThat(upstream.getDouble("temperature")).isEqualTo(1.0);
          assertThat(upstream.getInteger("max_tokens")).isEqualTo(300);
          ctx.completeNow();
        })));
  }

  @Test
  void history_is_made_to_alternate_starting_with_the_user(Vertx vertx, VertxTestContext ctx) {
    JsonObject request = ProviderTestSupport.request(bot()).put("messages", new JsonArray()
        .add(message("assistant", "Welcome! Ask me anything."))
        .add(message("user", "First question"))
        .add(message("user", "and a follow-up"))
        .add(message("assistant", ""))
        .add(message("user", "Last one")));
    client(vertx).complete(request).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertThat(objects(fake.requests().get(0).getJsonArray("messages"))).containsExactly(
          message("user", "First question\n\nand a follow-up\n\nLast one"));
      assertThat(reply.getString("content")).isEqualTo("Echo: First question\n\nand a follow-up\n\nLast one");
      ctx.completeNow();
    })));
  }
}
