package dev.parley.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.testing.Await;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class WebhookVerticleTest {

  private static Future<WebhookReceiver> deployed(Vertx vertx, JsonObject extra) {
    return WebhookReceiver.start(vertx).compose(receiver -> vertx.deployVerticle(new WebhookVerticle(),
            new DeploymentOptions().setConfig(new JsonObject().put("extension", new JsonObject().put("url", receiver.url())
                .put("secret", "hook-secret-4Tq9Xw2Lm7Rz0Vb5Nc8K").put("backoff_initial_ms", 20).put("backoff_max_ms", 50).mergeIn(extra))))
        .map(id -> receiver));
  }



  @Test
  void a_turn_event_is_posted_signed_and_retried_until_accepted(Vertx vertx, VertxTestContext test) {
    deployed(vertx, new JsonObject()).compose(receiver -> {
      receiver.answer(500, 503);
      vertx.eventBus().publish(Addresses.EVENTS_TURN_COMPLETED, new JsonObject().put("bot_id", "bot_x").put("assistant", "hi"));
      return Await.until(vertx, () -> receiver.received().size() == 3).map(v -> {
        WebhookReceiver.Received last = receiver.received().get(2);
        JsonObject body = last.body().toJsonObject();
        assertThat(body.getString("event")).isEqualTo(Addresses.EVENTS_TURN_COMPLETED);
        assertThat(body.getJsonObject("data").getString("assistant")).isEqualTo("hi");
        assertThat(last.headers().get("X-Parley-Event")).isEqualTo(Addresses.EVENTS_TURN_COMPLETED);
        assertThat(last.headers().get("X-Parley-Delivery")).isEqualTo(body.getString("id"));
        assertThat(receiver.received().get(0).headers().get("X-Parley-Delivery")).isEqualTo(body.getString("id"));
        assertThat(last.headers().get("X-Parley-Signature")).isEqualTo("sha256=" + hmac("hook-secret-4Tq9Xw2Lm7Rz0Vb5Nc8K", last.body().getBytes()));
        return v;
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_client_error_is_not_retried_and_other_events_still_flow(Vertx vertx, VertxTestContext test) {
    deployed(vertx, new JsonObject()).compose(receiver -> {
      receiver.answer(400);
      vertx.eventBus().publish(Addresses.EVENTS_TURN_COMPLETED, new JsonObject().put("n", 1));
      return Await.until(vertx, () -> receiver.received().size() == 1)
          .compose(v -> {
            vertx.eventBus().publish(Addresses.EVENTS_TURN_COMPLETED, new JsonObject().put("n", 2));
            return Await.until(vertx, () -> receiver.received().size() == 2);
          })
          .compose(v -> vertx.timer(200))
          .map(v -> {
            assertThat(receiver.received()).hasSize(2);
            assertThat(receiver.received().get(1).body().toJsonObject().getJsonObject("data").getInteger("n")).isEqualTo(2);
            return v;
          });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void retries_stop_after_max_retries(Vertx vertx, VertxTestContext test) {
    deployed(vertx, new JsonObject().put("max_retries", 2)).compose(receiver -> {
      receiver.answer(500, 500, 500, 500, 500);
      vertx.eventBus().publish(Addresses.EVENTS_TURN_COMPLETED, new JsonObject());
      return Await.until(vertx, () -> receiver.received().size() == 3).compose(v -> vertx.timer(300)).map(v -> {
        assertThat(receiver.received()).hasSize(3);
        return v;
      });
    }).onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_webhook_without_a_url_does_not_start(Vertx vertx, VertxTestContext test) {
    vertx.deployVerticle(new WebhookVerticle(), new DeploymentOptions().setConfig(new JsonObject()))
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertThat(failure.getMessage()).contains("url");
          test.completeNow();
        })));
  }

  static String hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
