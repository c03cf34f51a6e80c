package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.testing.Await;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.webhook.WebhookReceiver;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Extensions deployed from config: a custom provider usable by bots, and the webhook notifier. */
@ParleyTest
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ExtensionsTest {

  static TestApp app;
  static WebhookReceiver receiver;

  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    return WebhookReceiver.start(vertx).map(started -> {
      receiver = started;
      JsonArray extensions = new JsonArray()
          .add(new JsonObject().put("verticle", ShoutProvider.class.getName()))
          .add(receiver.extension(new JsonObject()));
      return new JsonObject().put("extensions", extensions);
    });
  }

  @Test
  void a_provider_registered_by_an_extension_serves_bots_and_turns_reach_the_webhook(Vertx vertx, VertxTestContext test) {
    app.createBot(new JsonObject().put("name", "Loud").put("provider", "shout")).compose(bot -> {
      String id = bot.getString("id");
      return app.chat(id, new JsonObject().put("message", "hello there").put("session_id", "extension-session"))
          .compose(json -> {
            assertThat(json.statusCode()).isEqualTo(200);
            assertThat(json.bodyAsJsonObject().getString("response")).isEqualTo("HELLO THERE");
            return app.client.post("/api/chat/" + id).putHeader("Accept", "text/event-stream")
                .sendJsonObject(new JsonObject().put("message", "stream me too").put("session_id", "extension-session"));
          })
          .compose(stream -> {
            String body = stream.bodyAsString();
            assertThat(body).contains("\"text\":\"STREAM \"").contains("\"text\":\"ME \"").contains("event: done");
            return Await.until(vertx, () -> receiver.received().size() >= 2);
          })
          .map(v -> {
            JsonObject event = receiver.received().get(0).body().toJsonObject();
            assertThat(event.getString("event")).isEqualTo(Addresses.EVENTS_TURN_COMPLETED);
            JsonObject data = event.getJsonObject("data");
            assertThat(data.getString("bot_id")).isEqualTo(id);
            assertThat(data.getString("user")).isEqualTo("hello there");
            assertThat(data.getString("assistant")).isEqualTo("HELLO THERE");
            assertThat(data.getString("status")).isEqualTo("complete");
            assertThat(data.getString("message_id")).isNotBlank();
            assertThat(app.openai.requestCount()).isZero();
            return v;
          });
    }).onComplete(test.succeedingThenComplete());
  }

}
