package dev.parley.provider;

import static dev.parley.provider.ProviderTestSupport.client;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.fake.FakeAnthropic;
import dev.parley.fake.FakeOpenAi;
import dev.parley.fake.FakeToolCall;
import dev.parley.fake.Fault;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The fallback provider and the circuit breaker with tools on offer: the neutral request serves either vendor. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class ToolCallingFallbackTest {

  @TempDir
  Path dataDir;

  @Test
  void a_tool_step_falls_back_to_another_vendor_and_skips_an_open_circuit(Vertx vertx, VertxTestContext ctx) {
    FakeToolCall lookup = FakeToolCall.of("toolu_lookup", "lookup_order", new JsonObject().put("order_id", "A-1042"));
    Future.all(FakeOpenAi.start(vertx), FakeAnthropic.start(vertx)).compose(fakes -> {
      FakeOpenAi openAi = fakes.resultAt(0);
      FakeAnthropic anthropic = fakes.resultAt(1);
      JsonObject config = ProviderTestSupport.config(dataDir, openAi.baseUrl(), anthropic.baseUrl())
          .put("max_retries", 0)
          .put("circuit_breaker", new JsonObject().put("max_failures", 1).put("reset_timeout_ms", 60_000));
      config.getJsonObject("openai").put("api_key", "sk-openai-config-key");
      config.getJsonObject("anthropic").put("api_key", "sk-ant-config-key");
      openAi.enqueue(Fault.status(500));
      anthropic.answerWithToolCalls(lookup);
      JsonObject bot = new JsonObject().put("id", "bot_tools").put("provider", "openai").put("model", "gpt-4o-mini")
          .put("fallback", new JsonObject().put("provider", "anthropic").put("model", "claude-3-5-haiku-20241022"));
      JsonObject request = ProviderTestSupport.request(bot)
          .put("tools", new JsonArray().add(new JsonObject().put("name", "lookup_order")
              .put("parameters", new JsonObject().put("type", "object"))))
          .put("tool_choice", "auto");
      return vertx.deployVerticle(new ProviderVerticle(), new DeploymentOptions().setConfig(config))
          // the first call fails over (and opens OpenAI's circuit), the second goes to the fallback at once
          .compose(id -> client(vertx).complete(request))
          .compose(first -> client(vertx).stream(request, "parley.stream.unused").map(second -> {
            ctx.verify(() -> {
              for (JsonObject reply : new JsonObject[] {first, second}) {
                assertThat(reply.getBoolean("fallback")).isTrue();
                assertThat(reply.getString("provider")).isEqualTo("anthropic");
                assertThat(reply.getString("finish_reason")).isEqualTo("tool_calls");
                assertThat(reply.getJsonArray("tool_calls")).isEqualTo(new JsonArray().add(new JsonObject()
                    .put("id", "toolu_lookup").put("name", "lookup_order")
                    .put("arguments", new JsonObject().put("order_id", "A-1042"))));
              }
              assertThat(second.getJsonObject("primary_error").getString("code")).isEqualTo("provider_circuit_open");
              assertThat(openAi.requestCount()).isEqualTo(1);
              assertThat(openAi.requests().get(0).getJsonArray("tools").getJsonObject(0).getString("type"))
                  .isEqualTo("function");
              for (JsonObject sent : anthropic.requests()) {
                assertThat(sent.getJsonArray("tools").getJsonObject(0).getJsonObject("input_schema"))
                    .isEqualTo(new JsonObject().put("type", "object"));
                assertThat(sent.getJsonObject("tool_choice")).isEqualTo(new JsonObject().put("type", "auto"));
              }
              assertThat(anthropic.requestCount()).isEqualTo(2);
            });
            return second;
          }));
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void the_extractive_provider_answers_a_request_with_tools_plainly(Vertx vertx, VertxTestContext ctx) {
    JsonObject config = ProviderTestSupport.config(dataDir, "http://127.0.0.1:9", "http://127.0.0.1:9");
    JsonObject request = ProviderTestSupport.request(new JsonObject().put("id", "bot_offline").put("provider", "extractive")
            .put("model", "none").put("fallback_text", "Ask a person, please."))
        .put("tools", new JsonArray().add(new JsonObject().put("name", "lookup_order")))
        .put("tool_choice", "required");
    vertx.deployVerticle(new ProviderVerticle(), new DeploymentOptions().setConfig(config))
        .compose(id -> client(vertx).complete(request))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertThat(reply.getString("content")).isEqualTo("Ask a person, please.");
          assertThat(reply.getString("finish_reason")).isEqualTo("stop");
          assertThat(reply.containsKey("tool_calls")).isFalse();
          ctx.completeNow();
        })));
  }
}
