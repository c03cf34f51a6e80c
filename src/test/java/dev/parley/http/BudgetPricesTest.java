package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A daily cost budget on a model without a price would never be reached: it is refused on save (unless
 * {@code provider.default_price} prices every model: {@link DefaultPriceTest}), and a stored bot in that state
 * shows a warning.
 */
@ParleyTest
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class BudgetPricesTest {

  private static TestApp app;

  private static JsonObject budgeted(String model) {
    return new JsonObject().put("name", "Budgeted").put("provider", "openai").put("model", model)
        .put("budget", new JsonObject().put("daily_cost", 5));
  }

  private static List<String> fields(JsonArray warnings) {
    return warnings.stream().map(w -> ((JsonObject) w).getString("field")).toList();
  }

  @Test
  void a_daily_cost_on_a_model_without_a_price_is_refused_naming_the_field(VertxTestContext test) {
    app.admin(HttpMethod.POST, "/api/bots").sendJsonObject(budgeted("my-local-llama")).map(response -> {
      assertThat(response.statusCode()).isEqualTo(422);
      JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("field")).isEqualTo("budget.daily_cost");
      assertThat(error.getString("message")).contains("my-local-llama").contains("default_price");
      return response;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_daily_cost_on_a_priced_model_is_accepted(VertxTestContext test) {
    app.createBot(budgeted("gpt-4o-mini")).compose(bot -> app.admin(HttpMethod.GET, "/api/bots/" + bot.getString("id")).send())
        .map(shown -> {
          assertThat(shown.bodyAsJsonObject().getJsonArray("warnings")).isEmpty();
          return shown;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_daily_cost_with_a_fallback_model_without_a_price_is_refused_naming_it(VertxTestContext test) {
    app.admin(HttpMethod.POST, "/api/bots").sendJsonObject(budgeted("gpt-4o-mini")
            .put("fallback", new JsonObject().put("provider", "anthropic").put("model", "claude-from-the-future")))
        .map(response -> {
          assertThat(response.statusCode()).isEqualTo(422);
          assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("fallback.model");
          return response;
        }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_stored_bot_whose_model_has_no_price_shows_a_warning(VertxTestContext test) {
    app.createBot(budgeted("gpt-4o-mini")).compose(bot -> {
      String id = bot.getString("id");
      return app.storeBotSettings(id, config -> config.put("model", "renamed-model-x"))
          .compose(v -> app.admin(HttpMethod.GET, "/api/bots/" + id).send());
    }).map(shown -> {
      assertThat(fields(shown.bodyAsJsonObject().getJsonArray("warnings"))).containsExactly("budget.daily_cost");
      return shown;
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_budget_on_the_extractive_provider_is_saved_with_a_warning(VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Offline").put("provider", "extractive")
            .put("budget", new JsonObject().put("daily_tokens", 1000)))
        .compose(bot -> app.admin(HttpMethod.GET, "/api/bots/" + bot.getString("id")).send())
        .map(shown -> {
          assertThat(fields(shown.bodyAsJsonObject().getJsonArray("warnings"))).containsExactly("budget");
          return shown;
        }).onComplete(test.succeedingThenComplete());
  }
}
