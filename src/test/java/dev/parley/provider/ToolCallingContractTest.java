package dev.parley.provider;

import static dev.parley.provider.ProviderTestSupport.API_KEY;
import static dev.parley.provider.ProviderTestSupport.BOT_ID;
import static dev.parley.provider.ProviderTestSupport.client;
import static dev.parley.provider.ProviderTestSupport.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Addresses;
import dev.parley.common.SecretBox;
import dev.parley.common.StreamEvents;
import dev.parley.fake.FakeModelServer;
import dev.parley.fake.FakeToolCall;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tool calling as every HTTP vendor provider must do it, JSON and streamed, against the real {@link ProviderVerticle}
 * and a fake speaking the vendor's wire format. One subclass per vendor checks the wire format itself.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
abstract class ToolCallingContractTest {

  static final JsonObject ORDER_SCHEMA = new JsonObject().put("type", "object")
      .put("properties", new JsonObject().put("order_id", new JsonObject().put("type", "string")))
      .put("required", new JsonArray().add("order_id"));
  static final FakeToolCall LOOKUP = FakeToolCall.of("call_lookup1", "lookup_order",
      new JsonObject().put("order_id", "A-1042"));
  static final FakeToolCall WEATHER = FakeToolCall.of("call_weather2", "get_weather",
      new JsonObject().put("city", "Zürich \"Altstadt\"").put("days", 3).put("units", new JsonArray().add("c")));

  @TempDir
  Path dataDir;

  FakeModelServer fake;
  String keyEnc;

  abstract Future<? extends FakeModelServer> startFake(Vertx vertx);

  abstract String provider();

  abstract String model();

  abstract JsonObject config(String baseUrl);

  /** Checks the tools and the named tool_choice of {@link #toolRequest()} reached the vendor in its format. */
  abstract void assertToolsSent(JsonObject upstream);

  /** Checks {@code tool_choice: "required"} reached the vendor in its format. */
  abstract void assertRequiredChoiceSent(JsonObject upstream);

  /** Checks the follow-up of {@link #followUp()} reached the vendor in its format. */
  abstract void assertFollowUpSent(JsonObject upstream);

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    startFake(vertx)
        .compose(started -> {
          fake = started;
          return SecretBox.load(vertx, config(fake.baseUrl()));
        })
        .compose(box -> {
          keyEnc = box.encrypt(API_KEY, BOT_ID);
          return vertx.deployVerticle(new ProviderVerticle(), new DeploymentOptions().setConfig(config(fake.baseUrl())));
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  JsonObject bot() {
    return new JsonObject().put("id", BOT_ID).put("provider", provider()).put("model", model()).put("api_key_enc", keyEnc);
  }

  /** A question with two tools on offer. */
  JsonObject toolRequest() {
    return ProviderTestSupport.request(bot()).put("tools", new JsonArray()
        .add(new JsonObject().put("name", "lookup_order").put("description", "Finds an order by its id")
            .put("parameters", ORDER_SCHEMA))
        .add(new JsonObject().put("name", "get_weather").put("description", "The forecast for a city")
            .put("parameters", new JsonObject().put("type", "object").put("properties", new JsonObject()))));
  }

  /** The request after the model asked for both tools: its calls, then their results, one of them failed. */
  JsonObject followUp() {
    JsonArray messages = toolRequest().getJsonArray("messages")
        .add(new JsonObject().put("role", "assistant").put("content", "Let me check.").put("tool_calls", new JsonArray()
            .add(new JsonObject().put("id", LOOKUP.id()).put("name", LOOKUP.name())
                .put("arguments", new JsonObject(LOOKUP.arguments())))
            .add(new JsonObject().put("id", WEATHER.id()).put("name", WEATHER.name())
                .put("arguments", new JsonObject(WEATHER.arguments())))))
        .add(new JsonObject().put("role", "tool").put("tool_call_id", LOOKUP.id()).put("name", LOOKUP.name())
            .put("content", "{\"status\":\"shipped\"}"))
        .add(new JsonObject().put("role", "tool").put("tool_call_id", WEATHER.id()).put("name", WEATHER.name())
            .put("content", "The weather service timed out").put("is_error", true));
    return toolRequest().put("messages", messages);
  }

  /**
   * The answer of a call: the reply of a JSON call, or the {@code done} of a stream (checked to equal the reply,
   * and to come after deltas that add up to its content).
   */
  Future<JsonObject> ask(Vertx vertx, JsonObject request, boolean stream) {
    if (!stream) {
      return client(vertx).complete(request);
    }
    String address = Addresses.STREAM_PREFIX + UUID.randomUUID();
    List<String> texts = new CopyOnWriteArrayList<>();
    Promise<JsonObject> done = Promise.promise();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address, m -> {
      if (StreamEvents.DELTA.equals(StreamEvents.type(m.body()))) {
        texts.add(m.body().getString("text"));
      } else if (StreamEvents.DONE.equals(StreamEvents.type(m.body()))) {
        done.tryComplete(StreamEvents.answer(m.body()));
      }
    });
    return consumer.completion()
        .compose(v -> client(vertx).stream(request, address))
        .compose(reply -> done.future().map(end -> {
          assertThat(end).isEqualTo(reply);
          assertThat(String.join("", texts)).isEqualTo(end.getString("content"));
          return end;
        }))
        .eventually(consumer::unregister);
  }

  static JsonObject call(FakeToolCall call) {
    return new JsonObject().put("id", call.id()).put("name", call.name()).put("arguments", new JsonObject(call.arguments()));
  }

  void one_call(Vertx vertx, VertxTestContext ctx, boolean stream) {
    fake.answerWithToolCalls(LOOKUP);
    ask(vertx, toolRequest().put("tool_choice", new JsonObject().put("name", "lookup_order")), stream).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertThat(reply.getString("finish_reason")).isEqualTo("tool_calls");
      assertThat(reply.getJsonArray("tool_calls")).isEqualTo(new JsonArray().add(call(LOOKUP)));
      assertThat(reply.getString("content")).isEmpty();
      assertToolsSent(fake.requests().get(0));
      ctx.completeNow();
    })));
  }

  @Test
  void a_tool_call_comes_back_with_its_arguments(Vertx vertx, VertxTestContext ctx) {
    one_call(vertx, ctx, false);
  }

  @Test
  void a_streamed_tool_call_comes_back_in_done_with_its_arguments(Vertx vertx, VertxTestContext ctx) {
    one_call(vertx, ctx, true);
  }

  void two_calls(Vertx vertx, VertxTestContext ctx, boolean stream) {
    fake.answerWith("Let me check both.");
    fake.answerToolCalls(body -> List.of(LOOKUP, WEATHER));
    fake.argumentFragments(4);
    ask(vertx, toolRequest().put("tool_choice", "required"), stream).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertRequiredChoiceSent(fake.requests().get(0));
      assertThat(reply.getString("content")).isEqualTo("Let me check both.");
      assertThat(reply.getJsonArray("tool_calls")).isEqualTo(new JsonArray().add(call(LOOKUP)).add(call(WEATHER)));
      assertThat(reply.getString("finish_reason")).isEqualTo("tool_calls");
      ctx.completeNow();
    })));
  }

  @Test
  void two_calls_in_one_step_come_back_in_order_after_the_text(Vertx vertx, VertxTestContext ctx) {
    two_calls(vertx, ctx, false);
  }

  @Test
  void two_streamed_calls_with_interleaved_fragments_come_back_in_order_after_the_text(Vertx vertx,
      VertxTestContext ctx) {
    two_calls(vertx, ctx, true);
  }

  @Test
  void arguments_streamed_in_many_fragments_are_put_back_together(Vertx vertx, VertxTestContext ctx) {
    FakeToolCall long_arguments = FakeToolCall.of("call_long", "lookup_order", new JsonObject()
        .put("order_id", "A-1042").put("note", "naïve café ☕ — \"quoted\", \\ and 😀 ".repeat(20)));
    fake.answerWithToolCalls(long_arguments, LOOKUP);
    fake.argumentFragments(97);
    ask(vertx, toolRequest(), true).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertThat(reply.getJsonArray("tool_calls")).isEqualTo(new JsonArray().add(call(long_arguments)).add(call(LOOKUP)));
      ctx.completeNow();
    })));
  }

  void broken_arguments(Vertx vertx, VertxTestContext ctx, boolean stream) {
    FakeToolCall broken = new FakeToolCall("call_broken", "lookup_order", "{\"order_id\": \"A-10");
    fake.answerWithToolCalls(broken, LOOKUP);
    ask(vertx, toolRequest(), stream).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      JsonArray calls = reply.getJsonArray("tool_calls");
      assertThat(calls.getJsonObject(0)).isEqualTo(new JsonObject().put("id", "call_broken").put("name", "lookup_order")
          .put("arguments", new JsonObject().put("_raw", "{\"order_id\": \"A-10")).put("arguments_error", true));
      assertThat(calls.getJsonObject(1)).isEqualTo(call(LOOKUP));
      ctx.completeNow();
    })));
  }

  @Test
  void arguments_that_are_not_json_come_back_raw_with_arguments_error(Vertx vertx, VertxTestContext ctx) {
    broken_arguments(vertx, ctx, false);
  }

  @Test
  void streamed_arguments_that_are_not_json_come_back_raw_with_arguments_error(Vertx vertx, VertxTestContext ctx) {
    broken_arguments(vertx, ctx, true);
  }

  void follow_up(Vertx vertx, VertxTestContext ctx, boolean stream) {
    fake.answerWith("Your order has shipped.");
    ask(vertx, followUp(), stream).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertThat(reply.getString("content")).isEqualTo("Your order has shipped.");
      assertThat(reply.getString("finish_reason")).isEqualTo("stop");
      assertThat(reply.containsKey("tool_calls")).isFalse();
      assertFollowUpSent(fake.requests().get(0));
      ctx.completeNow();
    })));
  }

  @Test
  void a_follow_up_with_tool_results_is_sent_in_the_vendor_format(Vertx vertx, VertxTestContext ctx) {
    follow_up(vertx, ctx, false);
  }

  @Test
  void a_streamed_follow_up_with_tool_results_is_sent_in_the_vendor_format(Vertx vertx, VertxTestContext ctx) {
    follow_up(vertx, ctx, true);
  }

  void usage(Vertx vertx, VertxTestContext ctx, boolean stream) {
    fake.answerWithToolCalls(LOOKUP, WEATHER);
    ask(vertx, toolRequest(), stream).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      JsonObject usage = reply.getJsonObject("usage");
      assertThat(usage.getLong("input_tokens")).isEqualTo(FakeModelServer.inputTokens(fake.requests().get(0)));
      assertThat(usage.getLong("output_tokens"))
          .isEqualTo(FakeModelServer.outputTokens("", List.of(LOOKUP, WEATHER))).isPositive();
      assertThat(usage.containsKey("estimated")).isFalse();
      assertThat(reply.getDouble("cost")).isPositive();
      ctx.completeNow();
    })));
  }

  @Test
  void a_tool_step_reports_the_vendors_usage_and_its_cost(Vertx vertx, VertxTestContext ctx) {
    usage(vertx, ctx, false);
  }

  @Test
  void a_streamed_tool_step_reports_the_vendors_usage_and_its_cost(Vertx vertx, VertxTestContext ctx) {
    usage(vertx, ctx, true);
  }

  @Test
  void an_answer_asking_for_more_tool_calls_than_the_limit_fails_as_unreadable(Vertx vertx, VertxTestContext ctx) {
    List<FakeToolCall> many = java.util.stream.IntStream.rangeClosed(0, ToolCallParts.MAX_CALLS)
        .mapToObj(i -> FakeToolCall.of("call_" + i, "lookup_order", new JsonObject().put("order_id", "A-" + i))).toList();
    fake.answerWith("");
    fake.answerToolCalls(body -> many);
    failure(ask(vertx, toolRequest(), true)).onComplete(ctx.succeeding(refused -> ctx.verify(() -> {
      assertThat(refused.status()).isEqualTo(502);
      assertThat(refused.code()).isEqualTo("provider_protocol_error");
      ctx.completeNow();
    })));
  }

  @Test
  void a_request_without_tools_sends_none(Vertx vertx, VertxTestContext ctx) {
    client(vertx).complete(ProviderTestSupport.request(bot())).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertThat(fake.requests().get(0).containsKey("tools")).isFalse();
      assertThat(fake.requests().get(0).containsKey("tool_choice")).isFalse();
      assertThat(reply.containsKey("tool_calls")).isFalse();
      ctx.completeNow();
    })));
  }

  @Test
  void malformed_tools_and_tool_messages_are_refused_before_any_upstream_call(Vertx vertx, VertxTestContext ctx) {
    JsonObject badName = toolRequest();
    badName.getJsonArray("tools").getJsonObject(0).put("name", "look up order");
    JsonObject badSchema = toolRequest();
    badSchema.getJsonArray("tools").getJsonObject(0).put("parameters", new JsonObject().put("type", "string"));
    JsonObject unknownChoice = toolRequest().put("tool_choice", new JsonObject().put("name", "delete_everything"));
    JsonObject choiceWithoutTools = ProviderTestSupport.request(bot()).put("tool_choice", "required");
    JsonObject resultWithoutCall = toolRequest();
    resultWithoutCall.getJsonArray("messages").add(new JsonObject().put("role", "tool").put("content", "ok"));
    JsonObject argumentsAsText = toolRequest();
    argumentsAsText.getJsonArray("messages").add(new JsonObject().put("role", "assistant").put("tool_calls",
        new JsonArray().add(new JsonObject().put("id", "c1").put("name", "lookup_order").put("arguments", "{}"))));
    List<Object[]> cases = List.of(
        new Object[] {badName, "tools[0].name"}, new Object[] {badSchema, "tools[0].parameters"},
        new Object[] {unknownChoice, "tool_choice"}, new Object[] {choiceWithoutTools, "tool_choice"},
        new Object[] {resultWithoutCall, "messages"}, new Object[] {argumentsAsText, "messages"});
    Future.all(cases.stream().map(c -> failure(client(vertx).complete((JsonObject) c[0]))).toList())
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < cases.size(); i++) {
            dev.parley.common.ParleyException refused = all.resultAt(i);
            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.code()).isEqualTo("validation_failed");
            assertThat(refused.field()).isEqualTo(cases.get(i)[1]);
          }
          assertThat(fake.requestCount()).isZero();
          ctx.completeNow();
        })));
  }
}
