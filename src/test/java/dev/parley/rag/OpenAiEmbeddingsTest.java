package dev.parley.rag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.ParleyException;
import dev.parley.fake.FakeOpenAi;
import dev.parley.fake.Fault;
import dev.parley.security.LogCanary;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link OpenAiEmbeddings} against {@link FakeOpenAi}'s {@code /v1/embeddings}: the wire format, batching and every failure. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class OpenAiEmbeddingsTest {

  private static final String KEY = "sk-" + LogCanary.MARK + "-embeddings-" + UUID.randomUUID();

  static FakeOpenAi fake;
  static WebClient client;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext test) {
    FakeOpenAi.start(vertx).onComplete(test.succeeding(started -> {
      fake = started;
      client = WebClient.create(vertx);
      test.completeNow();
    }));
  }

  @AfterAll
  static void stop(VertxTestContext test) {
    client.close();
    fake.close().onComplete(test.succeedingThenComplete());
  }

  @BeforeEach
  void reset() {
    fake.reset();
  }

  private static OpenAiEmbeddings embeddings(Vertx vertx, JsonObject extra) {
    JsonObject config = new JsonObject().put("base_url", fake.baseUrl()).put("api_key", KEY).put("batch", 8)
        .put("timeout_ms", 2_000).put("max_retries", 2).put("backoff_initial_ms", 5).put("backoff_max_ms", 20)
        .mergeIn(extra);
    return new OpenAiEmbeddings(vertx, client, OpenAiEmbeddings.Settings.from(config));
  }

  /** Asserts the call failed with a ParleyException of this code, whose message never shows the key. */
  private static <T> Future<ParleyException> failsWith(Future<T> call, int status, String code,
      Consumer<String> message) {
    return call.transform(result -> {
      assertThat(result.failed()).as("the call fails").isTrue();
      assertThat(result.cause()).isInstanceOf(ParleyException.class);
      ParleyException failure = (ParleyException) result.cause();
      assertThat(failure.code()).isEqualTo(code);
      assertThat(failure.status()).isEqualTo(status);
      assertThat(failure.getMessage()).doesNotContain(KEY).doesNotContain(LogCanary.MARK);
      message.accept(failure.getMessage());
      return Future.succeededFuture(failure);
    });
  }

  private static float dot(float[] a, float[] b) {
    float d = 0;
    for (int i = 0; i < a.length; i++) {
      d += a[i] * b[i];
    }
    return d;
  }

  @Test
  void a_batch_is_one_request_in_the_real_wire_format_and_vectors_come_back_in_order(Vertx vertx,
      VertxTestContext test) {
    OpenAiEmbeddings embeddings = embeddings(vertx, new JsonObject());
    List<String> texts = List.of("Dogs are welcome in the lobby", "Parking is on level minus two", "",
        "Lunch is served at noon");
    embeddings.embed(texts).onComplete(test.succeeding(vectors -> test.verify(() -> {
      assertThat(embeddings.model()).isEqualTo("openai:text-embedding-3-small");
      assertThat(fake.embeddingRequests()).hasSize(1);
      JsonObject request = fake.embeddingRequests().get(0);
      assertThat(request.getString("model")).isEqualTo("text-embedding-3-small");
      assertThat(request.getString("encoding_format")).isEqualTo("float");
      assertThat(request.containsKey("dimensions")).isFalse();
      assertThat(request.getJsonArray("input")).containsExactly("Dogs are welcome in the lobby",
          "Parking is on level minus two", ".", "Lunch is served at noon");
      assertThat(fake.embeddingKeys()).containsExactly(KEY);
      assertThat(vectors).hasSize(4);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(vectors.get(i)).hasSize(FakeOpenAi.EMBEDDING_DIMENSIONS);
        assertThat(dot(vectors.get(i), vectors.get(i))).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
      }
      assertThat(vectors.get(1)).containsExactly(FakeOpenAi.embedding("Parking is on level minus two",
          FakeOpenAi.EMBEDDING_DIMENSIONS));
      test.completeNow();
    })));
  }

  @Test
  void dimensions_are_asked_for_and_name_the_model(Vertx vertx, VertxTestContext test) {
    OpenAiEmbeddings embeddings = embeddings(vertx, new JsonObject().put("model", "text-embedding-3-large")
        .put("dimensions", 64));
    embeddings.embedQuery("where can I park").onComplete(test.succeeding(vector -> test.verify(() -> {
      assertThat(embeddings.model()).isEqualTo("openai:text-embedding-3-large@64");
      assertThat(OpenAiEmbeddings.parse(embeddings.model())).containsExactly("text-embedding-3-large", 64);
      assertThat(fake.embeddingRequests().get(0).getInteger("dimensions")).isEqualTo(64);
      assertThat(vector).hasSize(64);
      test.completeNow();
    })));
  }

  @Test
  void rate_limits_and_server_errors_are_retried(Vertx vertx, VertxTestContext test) {
    fake.enqueueEmbeddings(Fault.status(429, "0"));
    fake.enqueueEmbeddings(Fault.status(503));
    embeddings(vertx, new JsonObject()).embed(List.of("one", "two")).onComplete(test.succeeding(vectors ->
        test.verify(() -> {
          assertThat(vectors).hasSize(2);
          assertThat(fake.embeddingRequests()).hasSize(3);
          test.completeNow();
        })));
  }

  @Test
  void a_rate_limit_that_outlasts_the_retries_fails_with_its_reason(Vertx vertx, VertxTestContext test) {
    for (int i = 0; i < 3; i++) {
      fake.enqueueEmbeddings(Fault.status(429));
    }
    failsWith(embeddings(vertx, new JsonObject()).embed(List.of("x")), 503, "embeddings_rate_limited",
        message -> assertThat(message).contains("429").contains("3 attempts"))
        .onComplete(test.succeeding(f -> test.verify(() -> {
          assertThat(fake.embeddingRequests()).hasSize(3);
          test.completeNow();
        })));
  }

  @Test
  void a_retry_after_longer_than_allowed_fails_at_once(Vertx vertx, VertxTestContext test) {
    fake.enqueueEmbeddings(Fault.status(429, "120"));
    failsWith(embeddings(vertx, new JsonObject()).embed(List.of("x")), 503, "embeddings_rate_limited", m -> { })
        .onComplete(test.succeeding(f -> test.verify(() -> {
          assertThat(fake.embeddingRequests()).hasSize(1);
          test.completeNow();
        })));
  }

  @Test
  void a_refused_key_fails_at_once_and_an_echoed_key_goes_nowhere(Vertx vertx, VertxTestContext test) {
    fake.enqueueEmbeddings(Fault.keyEcho());
    failsWith(embeddings(vertx, new JsonObject()).embed(List.of("x")), 502, "embeddings_auth_failed",
        message -> assertThat(message).contains("401").contains("rag.embeddings.api_key"))
        .onComplete(test.succeeding(f -> test.verify(() -> {
          assertThat(fake.embeddingRequests()).hasSize(1);
          assertThat(LogCanary.hits()).noneMatch(line -> line.contains(KEY));
          test.completeNow();
        })));
  }

  @Test
  void an_exhausted_quota_is_not_retried(Vertx vertx, VertxTestContext test) {
    fake.enqueueEmbeddings(Fault.insufficientQuota());
    failsWith(embeddings(vertx, new JsonObject()).embed(List.of("x")), 502, "embeddings_quota_exhausted",
        message -> assertThat(message).contains("quota"))
        .onComplete(test.succeeding(f -> test.verify(() -> {
          assertThat(fake.embeddingRequests()).hasSize(1);
          test.completeNow();
        })));
  }

  @Test
  void an_unknown_model_is_rejected_without_retries(Vertx vertx, VertxTestContext test) {
    fake.enqueueEmbeddings(Fault.status(404));
    failsWith(embeddings(vertx, new JsonObject().put("model", "no-such-model")).embed(List.of("x")), 502,
        "embeddings_rejected", message -> assertThat(message).contains("404").contains("no-such-model"))
        .onComplete(test.succeeding(f -> test.verify(() -> {
          assertThat(fake.embeddingRequests()).hasSize(1);
          test.completeNow();
        })));
  }

  @Test
  void a_server_that_never_answers_times_out(Vertx vertx, VertxTestContext test) {
    fake.enqueueEmbeddings(Fault.stall());
    failsWith(embeddings(vertx, new JsonObject().put("timeout_ms", 300).put("max_retries", 0)).embed(List.of("x")),
        504, "embeddings_timeout", message -> assertThat(message).contains("300 ms"))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void a_query_gets_one_short_deadline_for_all_its_attempts(Vertx vertx, VertxTestContext test) {
    fake.enqueueEmbeddings(Fault.stall());
    fake.enqueueEmbeddings(Fault.stall());
    failsWith(embeddings(vertx, new JsonObject().put("query_timeout_ms", 300)).embedQuery("x"), 504,
        "embeddings_timeout", m -> { })
        .onComplete(test.succeeding(f -> test.verify(() -> {
          assertThat(fake.embeddingRequests()).hasSize(1);
          test.completeNow();
        })));
  }

  @Test
  void a_cut_off_answer_fails_as_malformed(Vertx vertx, VertxTestContext test) {
    fake.enqueueEmbeddings(Fault.malformedJson());
    failsWith(embeddings(vertx, new JsonObject()).embed(List.of("x", "y")), 502, "embeddings_malformed",
        message -> assertThat(message).contains("not a list of embeddings"))
        .onComplete(test.succeeding(f -> test.verify(() -> {
          assertThat(fake.embeddingRequests()).hasSize(1);
          test.completeNow();
        })));
  }

  @Test
  void vectors_of_another_dimension_fail_the_call(Vertx vertx, VertxTestContext test) {
    OpenAiEmbeddings unconfigured = embeddings(vertx, new JsonObject());
    OpenAiEmbeddings configured = embeddings(vertx, new JsonObject().put("dimensions", 64));
    List<String> messages = new ArrayList<>();
    fake.forceEmbeddingDimensions(32);
    failsWith(configured.embed(List.of("x")), 502, "embeddings_wrong_dimension", messages::add)
        // without a configured dimension the first answer sets it, and a later change is refused
        .compose(f -> {
          fake.forceEmbeddingDimensions(-1);
          return unconfigured.embed(List.of("x"));
        })
        .compose(first -> {
          fake.forceEmbeddingDimensions(128);
          return failsWith(unconfigured.embed(List.of("y")), 502, "embeddings_wrong_dimension", messages::add);
        })
        .onComplete(test.succeeding(f -> test.verify(() -> {
          assertThat(messages.get(0)).contains("32-dimensional").contains("64 were expected");
          assertThat(messages.get(1)).contains("128-dimensional").contains("256 were expected");
          test.completeNow();
        })));
  }

  @Test
  void an_unreachable_server_fails_after_its_retries(Vertx vertx, VertxTestContext test) {
    int closed = TestApp.freePort();
    failsWith(embeddings(vertx, new JsonObject().put("base_url", "http://127.0.0.1:" + closed + "/v1")
            .put("max_retries", 1)).embed(List.of("x")), 502, "embeddings_unavailable",
        message -> assertThat(message).contains("could not be reached").contains("127.0.0.1:" + closed)
            .contains("2 attempts"))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void settings_that_cannot_work_are_refused(Vertx vertx) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpenAiEmbeddings.Settings.from(
        new JsonObject().put("base_url", "ftp://example.com"))).hasMessageContaining("http or https");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpenAiEmbeddings.Settings.from(
        new JsonObject().put("batch", 0))).hasMessageContaining("batch");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Embedders.create(vertx, null, null, null,
        new JsonObject().put("embeddings", new JsonObject().put("provider", "cohere"))))
        .hasMessageContaining("local or openai");
    OpenAiEmbeddings.Settings defaults = OpenAiEmbeddings.Settings.from(new JsonObject().put("api_key", KEY));
    assertThat(defaults.baseUrl()).isEqualTo("https://api.openai.com/v1");
    assertThat(defaults.model()).isEqualTo("text-embedding-3-small");
    assertThat(defaults.batch()).isEqualTo(64);
    assertThat(defaults.where()).doesNotContain(KEY);
  }

  @Test
  void the_settings_as_text_name_the_endpoint_and_model_but_never_the_key() {
    OpenAiEmbeddings.Settings settings = OpenAiEmbeddings.Settings.from(new JsonObject().put("api_key", KEY)
        .put("base_url", "https://embed.example.test/v1?key=" + KEY));
    assertThat(settings.toString()).contains("embed.example.test").contains("text-embedding-3-small")
        .doesNotContain(KEY).doesNotContain(LogCanary.MARK);
  }
}
