package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** With {@code provider.default_price}, models the price file does not list cost that price, so budgets on them work. */
@ParleyTest
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class DefaultPriceTest {

  static TestApp app;

  @ParleyConfig
  static JsonObject config() {
    return new JsonObject().put("provider", new JsonObject()
        .put("openai", new JsonObject().put("api_key", "sk-server-key-for-default-price"))
        .put("default_price", new JsonObject().put("input", 1.0).put("output", 2.0)));
  }

  @Test
  void an_unlisted_model_takes_a_daily_cost_and_costs_the_default_price(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Local")
            .put("provider", "openai").put("model", "my-local-llama").put("budget", new JsonObject().put("daily_cost", 5)))
        .compose(bot -> app.chat(bot.getString("id"), new JsonObject().put("message", "what does it cost?")))
        .map(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          JsonObject usage = response.bodyAsJsonObject().getJsonObject("usage");
          long in = usage.getLong("input_tokens");
          long out = usage.getLong("output_tokens");
          assertThat(in + out).isPositive();
          assertThat(usage.getDouble("cost")).isCloseTo((in * 1.0 + out * 2.0) / 1_000_000, offset(1e-12));
          return response;
        })
        .onComplete(test.succeedingThenComplete());
  }
}
