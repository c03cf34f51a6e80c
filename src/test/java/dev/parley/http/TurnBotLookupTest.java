package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A visitor's turn reads its bot from the node's bot component without a request once the component has it cached
 * ({@code common.LocalBots}), and a change to the bot shows in the very next turn.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class TurnBotLookupTest {

  private static TestApp app;

  @Test
  void turns_after_the_first_ask_nobody_for_their_bot_and_a_changed_bot_answers_the_next_turn() {
    AtomicInteger asked = new AtomicInteger();
    Handler<DeliveryContext<Object>> counting = delivery -> {
      if (delivery.message().address().startsWith(Addresses.BOT_GET)
          && delivery.message().body() instanceof JsonObject body && body.getBoolean(Fields.INCLUDE_SECRET, false)) {
        asked.incrementAndGet();
      }
      delivery.next();
    };
    app.vertx.eventBus().addOutboundInterceptor(counting);
    try {
      String botId = Await.result(app.createBot(new JsonObject().put("name", "Looked up").put("provider", "openai")
          .put("model", "gpt-4o-mini").put("api_key", "sk-test-lookup-0123456789abcdef")))
          .getString("id");
      for (int i = 0; i < 5; i++) {
        assertThat(Await.result(app.chat(botId, new JsonObject().put("message", "turn " + i))).statusCode()).isEqualTo(200);
      }
      assertThat(asked).as("requests for the bot over five turns").hasValueBetween(1, 2);
      assertThat(app.openai.requests().get(app.openai.requests().size() - 1).getString("model")).isEqualTo("gpt-4o-mini");

      assertThat(Await.result(app.admin(HttpMethod.PUT, "/api/bots/" + botId)
          .sendJsonObject(new JsonObject().put("model", "gpt-4o"))).statusCode()).isEqualTo(200);
      assertThat(Await.result(app.chat(botId, new JsonObject().put("message", "after the change"))).statusCode())
          .isEqualTo(200);
      assertThat(app.openai.requests().get(app.openai.requests().size() - 1).getString("model")).isEqualTo("gpt-4o");

      assertThat(Await.result(app.admin(HttpMethod.DELETE, "/api/bots/" + botId).send()).statusCode()).isEqualTo(204);
      assertThat(Await.result(app.chat(botId, new JsonObject().put("message", "gone"))).statusCode()).isEqualTo(404);
    } finally {
      app.vertx.eventBus().removeOutboundInterceptor(counting);
    }
  }
}
