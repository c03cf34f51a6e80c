package dev.parley.provider;

import static dev.parley.provider.ProviderTestSupport.client;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeModelServer;
import dev.parley.fake.FakeOpenAi;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OpenAiProviderTest extends ProviderContractTest {

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
  double inputPrice() {
    return 0.15;
  }

  @Override
  double outputPrice() {
    return 0.6;
  }

  @Override
  String receivedKey(MultiMap headers) {
    return headers.get("authorization").replaceFirst("^Bearer ", "");
  }

  @Override
  int overloadStatus() {
    return 503;
  }

  @Override
  JsonObject config(String baseUrl) {
    return ProviderTestSupport.config(dataDir, baseUrl, "http://127.0.0.1:9");
  }

  @Override
  void assertVendorFormat(JsonObject upstream, MultiMap headers, boolean stream) {
    assertThat(headers.get("authorization")).startsWith("Bearer ");
    assertThat(upstream.getString("model")).isEqualTo("gpt-4o-mini");
    assertThat(objects(upstream.getJsonArray("messages"))).containsExactly(
        message("system", systemPrompt()),
        message("user", "Hi there"),
        message("assistant", "Hello!"),
        message("user", "What is Parley?"));
    assertThat(upstream.getBoolean("stream")).isEqualTo(stream);
    assertThat(upstream.containsKey("temperature")).isFalse();
    assertThat(upstream.containsKey("max_tokens")).isFalse();
    if (stream) {
      assertThat(upstream.getJsonObject("stream_options")).isEqualTo(new JsonObject().put("include_usage", true));
    } else {
      assertThat(upstream.containsKey("stream_options")).isFalse();
    }
  }

  @Test
  void temperature_and_max_tokens_are_sent_when_the_bot_sets_them(Vertx vertx, VertxTestContext ctx) {
    client(vertx).complete(ProviderTestSupport.request(bot().put("temperature", 0.3).put("max_tokens", 200)))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          JsonObject upstream = fake.requests().get(0);
          assertThat(upstream.getDouble("temperature")).isEqualTo(0.3);
          assertThat(upstream.getInteger("max_tokens")).isEqualTo(200);
          ctx.completeNow();
        })));
  }

  @Test
  void reasoning_models_get_max_completion_tokens_and_no_temperature(Vertx vertx, VertxTestContext ctx) {
    client(vertx).complete(ProviderTestSupport.request(
            bot().put("model", "o4-mini").put("temperature", 0.3).put("max_tokens", 200)))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          JsonObject upstream = fake.requests().get(0);
          assertThat(upstream.containsKey("temperature")).isFalse();
          assertThat(upstream.containsKey("max_tokens")).isFalse();
          assertThat(upstream.getInteger("max_completion_tokens")).isEqualTo(200);
          ctx.completeNow();
        })));
  }

  @Test
  void an_unknown_model_on_a_compatible_server_costs_nothing(Vertx vertx, VertxTestContext ctx) {
    client(vertx).complete(ProviderTestSupport.request(bot().put("model", "llama3.1:8b")))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertThat(reply.getDouble("cost")).isZero();
          assertThat(reply.getString("model")).isEqualTo("llama3.1:8b");
          ctx.completeNow();
        })));
  }

  @Test
  void the_request_timeout_bounds_a_stream_that_keeps_trickling(Vertx vertx, VertxTestContext ctx) {
    JsonObject config = config(fake.baseUrl()).put("request_timeout_ms", 800);
    fake.answerWith("a b c d e f g h i j k l m n o p q r s t");
    fake.chunkDelayMs(150);
    long start = System.nanoTime();
    deploy(vertx, config)
        .compose(id -> ProviderTestSupport.stream(vertx, request()))
        .onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
          assertThat(streamed.failure().code()).isEqualTo("provider_timeout");
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
          assertThat(streamed.deltas().size()).isLessThan(20);
          ctx.completeNow();
        })));
  }
}
