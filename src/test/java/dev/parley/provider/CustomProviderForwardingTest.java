package dev.parley.provider;

import static dev.parley.provider.ProviderTestSupport.client;
import static dev.parley.provider.ProviderTestSupport.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.common.Fields;
import dev.parley.common.ParleyException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Providers the verticle does not know go to extension verticles over the bus. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class CustomProviderForwardingTest {

  @TempDir
  Path dataDir;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    vertx.deployVerticle(new ProviderVerticle(), new DeploymentOptions().setConfig(
            ProviderTestSupport.config(dataDir, "http://127.0.0.1:9/v1", "http://127.0.0.1:9")))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static JsonObject request(String provider) {
    return ProviderTestSupport.request(new JsonObject().put("id", "bot_x").put("provider", provider).put("model", "m"));
  }

  @Test
  void an_unknown_provider_is_forwarded_to_the_extension_that_registered_it(Vertx vertx, VertxTestContext ctx) {
    MessageConsumer<JsonObject> extension = vertx.eventBus().consumer(Addresses.customProviderComplete("echo-ext"),
        message -> message.reply(new JsonObject()
            .put("content", "from the extension: " + message.body().getJsonArray("messages").size())
            .put("request_id", message.headers().get(Fields.REQUEST_ID_HEADER))));
    extension.completion()
        .compose(v -> client(vertx).complete(request("echo-ext")))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          assertThat(reply.getString("content")).isEqualTo("from the extension: 3");
          assertThat(reply.getString("request_id")).startsWith("req-");
          ctx.completeNow();
        })));
  }

  @Test
  void a_stream_request_goes_to_the_extensions_stream_address(Vertx vertx, VertxTestContext ctx) {
    MessageConsumer<JsonObject> extension = vertx.eventBus().consumer(Addresses.customProviderStream("echo-ext"),
        message -> {
          String address = message.body().getString(Fields.STREAM_ADDRESS);
          vertx.eventBus().send(address, new JsonObject().put("type", "delta").put("seq", 0).put("text", "hi"));
          message.reply(new JsonObject().put("content", "hi").put("deltas", 1));
        });
    extension.completion()
        .compose(v -> ProviderTestSupport.stream(vertx, request("echo-ext")))
        .onComplete(ctx.succeeding(streamed -> ctx.verify(() -> {
          assertThat(streamed.text()).isEqualTo("hi");
          assertThat(streamed.reply().getInteger("deltas")).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void an_extensions_failure_is_passed_through(Vertx vertx, VertxTestContext ctx) {
    MessageConsumer<JsonObject> extension = vertx.eventBus().consumer(Addresses.customProviderComplete("picky"),
        message -> message.fail(409, new ParleyException(409, "model_busy", "Try later").toJson().encode()));
    extension.completion()
        .compose(v -> failure(client(vertx).complete(request("picky"))))
        .onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
          assertThat(failure.status()).isEqualTo(409);
          assertThat(failure.code()).isEqualTo("model_busy");
          ctx.completeNow();
        })));
  }

  @Test
  void an_unknown_provider_nobody_serves_fails_422_unknown_provider(Vertx vertx, VertxTestContext ctx) {
    failure(client(vertx).complete(request("nobody-home"))).onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
      assertThat(failure.status()).isEqualTo(422);
      assertThat(failure.code()).isEqualTo("unknown_provider");
      ctx.completeNow();
    })));
  }

  @Test
  void a_provider_name_that_cannot_be_an_address_fails_unknown_provider(Vertx vertx, VertxTestContext ctx) {
    failure(client(vertx).complete(request("../evil name"))).onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
      assertThat(failure.code()).isEqualTo("unknown_provider");
      ctx.completeNow();
    })));
  }

  @Test
  void a_request_without_messages_fails_validation(Vertx vertx, VertxTestContext ctx) {
    JsonObject request = ProviderTestSupport.request(new JsonObject().put("id", "bot_x").put("provider", "openai")
        .put("model", "gpt-4o").put("api_key_enc", "v1:junk")).put("messages", new JsonArray());
    failure(client(vertx).complete(request)).onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
      assertThat(failure.status()).isEqualTo(422);
      assertThat(failure.code()).isEqualTo("validation_failed");
      assertThat(failure.field()).isEqualTo("messages");
      ctx.completeNow();
    })));
  }

  @Test
  void a_key_that_does_not_decrypt_fails_secret_unreadable(Vertx vertx, VertxTestContext ctx) {
    JsonObject request = ProviderTestSupport.request(new JsonObject().put("id", "bot_x").put("provider", "openai")
        .put("model", "gpt-4o").put("api_key_enc", "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    failure(client(vertx).complete(request)).onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
      assertThat(failure.status()).isEqualTo(500);
      assertThat(failure.code()).isEqualTo("secret_unreadable");
      ctx.completeNow();
    })));
  }
}
