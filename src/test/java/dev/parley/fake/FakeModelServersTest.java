package dev.parley.fake;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fakes themselves speak the wire formats the provider tests rely on. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class FakeModelServersTest {

  private static JsonObject body(boolean stream) {
    return new JsonObject().put("model", "m").put("stream", stream)
        .put("stream_options", new JsonObject().put("include_usage", true))
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "one two"))
            .add(new JsonObject().put("role", "assistant").put("content", "three"))
            .add(new JsonObject().put("role", "user").put("content", "hello there")));
  }

  @Test
  void openai_answers_with_an_echo_and_usage(Vertx vertx, VertxTestContext ctx) {
    WebClient client = WebClient.create(vertx);
    FakeOpenAi.start(vertx).compose(fake -> client.postAbs(fake.baseUrl() + "/chat/completions")
            .bearerTokenAuthentication("sk-test").sendJsonObject(body(false)))
        .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
          assertThat(res.statusCode()).isEqualTo(200);
          JsonObject json = res.bodyAsJsonObject();
          assertThat(json.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
              .isEqualTo("Echo: hello there");
          assertThat(json.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(5);
          assertThat(json.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void openai_streams_word_chunks_then_usage_then_done(Vertx vertx, VertxTestContext ctx) {
    WebClient client = WebClient.create(vertx);
    FakeOpenAi.start(vertx).compose(fake -> client.postAbs(fake.baseUrl() + "/chat/completions")
            .bearerTokenAuthentication("sk-test").sendJsonObject(body(true)))
        .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
          String text = res.bodyAsString();
          assertThat(res.getHeader("content-type")).startsWith("text/event-stream");
          assertThat(text).contains("\"content\":\"Echo:\"", "\"content\":\" hello\"", "\"content\":\" there\"",
              "\"finish_reason\":\"stop\"", "\"choices\":[]", "\"completion_tokens\":3");
          assertThat(text).endsWith("data: [DONE]\n\n");
          ctx.completeNow();
        })));
  }

  @Test
  void anthropic_streams_named_events_and_requires_version_header(Vertx vertx, VertxTestContext ctx) {
    WebClient client = WebClient.create(vertx);
    FakeAnthropic.start(vertx).compose(fake -> client.postAbs(fake.baseUrl() + "/v1/messages")
            .putHeader("x-api-key", "sk-ant").sendJsonObject(body(true))
            .compose(missingVersion -> {
              ctx.verify(() -> assertThat(missingVersion.statusCode()).isEqualTo(400));
              return client.postAbs(fake.baseUrl() + "/v1/messages").putHeader("x-api-key", "sk-ant")
                  .putHeader("anthropic-version", "2023-06-01").sendJsonObject(body(true));
            }))
        .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
          String text = res.bodyAsString();
          assertThat(text).startsWith("event: message_start\n");
          assertThat(text).contains("event: ping", "\"text\":\" hello\"", "\"output_tokens\":3", "\"stop_reason\":\"end_turn\"");
          assertThat(text).endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
          ctx.completeNow();
        })));
  }

  @Test
  void faults_are_consumed_one_per_request(Vertx vertx, VertxTestContext ctx) {
    WebClient client = WebClient.create(vertx);
    FakeAnthropic.start(vertx).compose(fake -> {
      fake.enqueue(Fault.status(429, "3"));
      fake.enqueue(Fault.keyEcho());
      return send(client, fake).compose(first -> {
        ctx.verify(() -> {
          assertThat(first.statusCode()).isEqualTo(429);
          assertThat(first.getHeader("retry-after")).isEqualTo("3");
          assertThat(first.bodyAsJsonObject().getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
        });
        return send(client, fake);
      }).compose(second -> {
        ctx.verify(() -> {
          assertThat(second.statusCode()).isEqualTo(401);
          assertThat(second.bodyAsString()).contains("sk-ant-secret");
        });
        return send(client, fake);
      }).map(third -> {
        ctx.verify(() -> {
          assertThat(third.statusCode()).isEqualTo(200);
          assertThat(fake.requestCount()).isEqualTo(3);
          assertThat(fake.requestHeaders().get(0).get("anthropic-version")).isEqualTo("2023-06-01");
        });
        return third;
      });
    }).onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }

  @Test
  void chunks_keep_their_spaces() {
    assertThat(FakeModelServer.chunks("Echo: a  b c ")).containsExactly("Echo:", " a", "  b", " c ");
    assertThat(String.join("", FakeModelServer.chunks(" x y"))).isEqualTo(" x y");
    assertThat(FakeModelServer.chunks("")).isEmpty();
  }

  private static io.vertx.core.Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> send(
      WebClient client, FakeAnthropic fake) {
    return client.postAbs(fake.baseUrl() + "/v1/messages").putHeader("x-api-key", "sk-ant-secret")
        .putHeader("anthropic-version", "2023-06-01").sendJsonObject(body(false));
  }
}
