package dev.parley.rag;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible embeddings API (OpenAI, Azure-style gateways, Ollama, vLLM, LM Studio…):
 * {@code POST {base_url}/embeddings} with {@code {model, input:[…], encoding_format:"float",
 * dimensions?}} and a Bearer key, through the Vert.x web client, so nothing waits on a thread.
 *
 * <p>Each request has a timeout; 429 (unless the account is out of quota), 408, 5xx, connection
 * failures and timeouts are retried at most {@code max_retries} times, after the
 * {@code Retry-After} the server asked for when it is at most {@code max_retry_after_s}, otherwise
 * after an exponential backoff with jitter. Every other failure, and an answer that is not a list of
 * one vector per input of the expected dimension, fails the call with a {@link ParleyException}
 * whose message says what went wrong in words fit for a document's {@code error}. Upstream bodies
 * are read only for their error {@code code}; they are never logged or passed on, and the key is
 * never in a message or a log line.
 */
final class OpenAiEmbeddings implements Embedder {

  /** The prefix of every OpenAI-compatible model's identity. */
  static final String PREFIX = "openai:";
  static final String DEFAULT_MODEL = "text-embedding-3-small";
  static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

  private static final Logger LOG = LoggerFactory.getLogger(OpenAiEmbeddings.class);

  /** {@code rag.embeddings} when {@code provider} is {@code openai}. */
  record Settings(String baseUrl, String apiKey, String model, Integer dimensions, int batch, long timeoutMs,
      long queryTimeoutMs, int maxRetries, long backoffInitialMs, long backoffMaxMs, long maxRetryAfterMs) {

    static Settings from(JsonObject config) {
      String baseUrl = blankToNull(config.getString("base_url"));
      baseUrl = baseUrl == null ? DEFAULT_BASE_URL : withoutTrailingSlashes(baseUrl);
      URI uri;
      try {
        uri = URI.create(baseUrl);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("rag.embeddings.base_url is not a URL");
      }
      if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw new IllegalArgumentException("rag.embeddings.base_url must be an http or https URL");
      }
      String model = blankToNull(config.getString("model"));
      Integer dimensions = integer(config, "dimensions", null);
      if (dimensions != null && (dimensions < 1 || dimensions > 16_384)) {
        throw new IllegalArgumentException("rag.embeddings.dimensions must be from 1 to 16384");
      }
      int batch = integer(config, "batch", 64);
      if (batch < 1 || batch > 2048) {
        throw new IllegalArgumentException("rag.embeddings.batch must be from 1 to 2048");
      }
      return new Settings(baseUrl, blankToNull(config.getString("api_key")), model == null ? DEFAULT_MODEL : model,
          dimensions, batch, Math.max(1, config.getLong("timeout_ms", 30_000L)),
          Math.max(1, config.getLong("query_timeout_ms", 5_000L)), Math.max(0, integer(config, "max_retries", 2)),
          Math.max(1, config.getLong("backoff_initial_ms", 500L)), Math.max(1, config.getLong("backoff_max_ms", 8_000L)),
          Math.max(0, config.getLong("max_retry_after_s", 20L)) * 1000);
    }

    /** The same endpoint and key for another model (an index built before the model was changed). */
    Settings withModel(String otherModel, Integer otherDimensions) {
      return new Settings(baseUrl, apiKey, otherModel, otherDimensions, batch, timeoutMs, queryTimeoutMs, maxRetries,
          backoffInitialMs, backoffMaxMs, maxRetryAfterMs);
    }

    /** The endpoint ({@link #where()}) and model, never the key nor the base URL's query. */
    @Override
    public String toString() {
      return "OpenAiEmbeddings.Settings[where=" + where() + ", model=" + model + ", dimensions=" + dimensions
          + ", api_key=" + (apiKey == null ? "unset" : "set") + "]";
    }

    /** The base URL without credentials, for log lines. */
    String where() {
      URI uri = URI.create(baseUrl);
      return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
          + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
  }

  private final Vertx vertx;
  private final WebClient client;
  private final Settings settings;
  private final String identity;
  private volatile int dimension;

  OpenAiEmbeddings(Vertx vertx, WebClient client, Settings settings) {
    this.vertx = vertx;
    this.client = client;
    this.settings = settings;
    this.identity = identity(settings.model(), settings.dimensions());
    this.dimension = settings.dimensions() == null ? -1 : settings.dimensions();
  }

  /**
   * A web client fit for the embeddings API (keep-alive, the connect timeout of {@code settings}). It follows no
   * redirect: one would carry the {@code Authorization} header, and so the key, to wherever it points.
   */
  static WebClient client(Vertx vertx, Settings settings) {
    return WebClient.create(vertx, new WebClientOptions().setUserAgent("Parley").setKeepAlive(true).setFollowRedirects(false)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, Math.min(10_000, settings.timeoutMs()))));
  }

  /** {@code openai:<model>}, with {@code @<dimensions>} when a dimension is asked for. */
  static String identity(String model, Integer dimensions) {
    return PREFIX + model + (dimensions == null ? "" : "@" + dimensions);
  }

  /**
   * The model and dimensions an identity names ({@code [model, dimensions or null]}), or null when it is
   * not an OpenAI-compatible model's.
   */
  static Object[] parse(String identity) {
    if (identity == null || !identity.startsWith(PREFIX) || identity.length() == PREFIX.length()) {
      return null;
    }
    String rest = identity.substring(PREFIX.length());
    int at = rest.lastIndexOf('@');
    if (at > 0 && rest.substring(at + 1).matches("\\d{1,5}")) {
      return new Object[] {rest.substring(0, at), Integer.valueOf(rest.substring(at + 1))};
    }
    return new Object[] {rest, null};
  }

  Settings settings() {
    return settings;
  }

  @Override
  public String model() {
    return identity;
  }

  @Override
  public int batch() {
    return settings.batch();
  }

  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    if (texts.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return attempt(texts, 1, Long.MAX_VALUE);
  }

  @Override
  public Future<float[]> embedQuery(String text) {
    return attempt(List.of(text), 1, System.nanoTime() + settings.queryTimeoutMs() * 1_000_000).map(v -> v.get(0));
  }

  // ---- one call, retried

  private Future<List<float[]>> attempt(List<String> texts, int attempt, long deadlineNanos) {
    long remainingMs = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE
        : (deadlineNanos - System.nanoTime()) / 1_000_000;
    if (remainingMs <= 0) {
      return Future.failedFuture(timedOut(settings.queryTimeoutMs()));
    }
    long timeoutMs = Math.min(settings.timeoutMs(), remainingMs);
    return send(texts, timeoutMs).recover(error -> {
      if (!(error instanceof EmbeddingsFailure failed)) {
        return Future.failedFuture(error);
      }
      long delay = !failed.retryable() || attempt > settings.maxRetries() ? -1 : delay(attempt, failed);
      if (delay < 0 || (deadlineNanos != Long.MAX_VALUE && System.nanoTime() + delay * 1_000_000 >= deadlineNanos)) {
        return Future.failedFuture(failed.explain(attempt, timeoutMs, settings.where(), settings.model()));
      }
      LOG.info("Embeddings request to {} failed ({}); retry {} of {} in {} ms", settings.where(), failed.getMessage(),
          attempt, settings.maxRetries(), delay);
      return vertx.timer(Math.max(1, delay)).compose(v -> attempt(texts, attempt + 1, deadlineNanos));
    });
  }

  private long delay(int retry, EmbeddingsFailure failed) {
    if (failed.retryAfterMs() >= 0) {
      return failed.retryAfterMs() <= settings.maxRetryAfterMs() ? failed.retryAfterMs() : -1;
    }
    long step = Math.min(settings.backoffMaxMs(), settings.backoffInitialMs() << Math.min(30, retry - 1));
    long half = step / 2;
    return half + ThreadLocalRandom.current().nextLong(step - half + 1);
  }

  private Future<List<float[]>> send(List<String> texts, long timeoutMs) {
    JsonArray input = new JsonArray();
    for (String text : texts) {
      input.add(text.isBlank() ? "." : text);
    }
    JsonObject body = new JsonObject().put("model", settings.model()).put("input", input)
        .put("encoding_format", "float");
    if (settings.dimensions() != null) {
      body.put("dimensions", settings.dimensions());
    }
    HttpRequest<Buffer> request = client.postAbs(settings.baseUrl() + "/embeddings")
        .idleTimeout(timeoutMs)
        .putHeader("Accept", "application/json");
    if (settings.apiKey() != null) {
      request.putHeader("Authorization", "Bearer " + settings.apiKey());
    }
    Promise<HttpResponse<Buffer>> answered = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, t -> answered.tryFail(new TimeoutException()));
    request.sendJsonObject(body).onComplete(result -> {
      vertx.cancelTimer(timer);
      if (result.succeeded()) {
        answered.tryComplete(result.result());
      } else {
        answered.tryFail(result.cause());
      }
    });
    return answered.future()
        .recover(failure -> Future.failedFuture(EmbeddingsFailure.connection(failure)))
        .compose(response -> {
          if (response.statusCode() / 100 != 2) {
            return Future.failedFuture(EmbeddingsFailure.answered(response));
          }
          return Future.succeededFuture(vectors(response, texts.size()));
        });
  }

  /** One unit vector per input, in input order, from the {@code data} list of the answer. */
  private List<float[]> vectors(HttpResponse<Buffer> response, int expected) {
    JsonObject json;
    try {
      json = response.body() == null ? null : response.body().toJsonObject();
    } catch (RuntimeException notJson) {
      json = null;
    }
    Object data = json == null ? null : json.getValue("data");
    if (!(data instanceof JsonArray list) || list.size() != expected) {
      throw malformed(data instanceof JsonArray list ? "it has " + list.size() + " embeddings for " + expected
          + " inputs" : "it is not a list of embeddings");
    }
    float[][] out = new float[expected][];
    for (int i = 0; i < expected; i++) {
      Object item = list.getValue(i);
      if (!(item instanceof JsonObject entry) || !(entry.getValue("embedding") instanceof JsonArray values)) {
        throw malformed("an item has no embedding");
      }
      int index = entry.getValue("index") instanceof Number n ? n.intValue() : i;
      if (index < 0 || index >= expected || out[index] != null) {
        throw malformed("the embeddings' indexes do not match the inputs");
      }
      float[] vector = new float[values.size()];
      for (int d = 0; d < vector.length; d++) {
        if (!(values.getValue(d) instanceof Number number)) {
          throw malformed("an embedding holds something that is not a number");
        }
        vector[d] = number.floatValue();
      }
      checkDimension(vector.length);
      out[index] = LocalEmbeddings.normalised(vector);
    }
    return List.of(out);
  }

  private void checkDimension(int length) {
    if (length == 0) {
      throw malformed("an embedding is empty");
    }
    int expected = dimension;
    if (expected < 0) {
      dimension = length;
    } else if (length != expected) {
      throw new ParleyException(ErrorCodes.BAD_GATEWAY, "embeddings_wrong_dimension", "The embeddings API returned "
          + length + "-dimensional vectors for " + identity + " where " + expected + " were expected");
    }
  }

  private ParleyException malformed(String what) {
    return new ParleyException(ErrorCodes.BAD_GATEWAY, "embeddings_malformed",
        "The embeddings API answered with something Parley cannot use: " + what);
  }

  private ParleyException timedOut(long ms) {
    return new ParleyException(ErrorCodes.GATEWAY_TIMEOUT, "embeddings_timeout",
        "The embeddings API did not answer within " + ms + " ms");
  }

  private static String withoutTrailingSlashes(String url) {
    int end = url.length();
    while (end > 0 && url.charAt(end - 1) == '/') {
      end--;
    }
    return url.substring(0, end);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static Integer integer(JsonObject config, String key, Integer fallback) {
    Object value = config.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number n) {
      return n.intValue();
    }
    try {
      return Integer.valueOf(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("rag.embeddings." + key + " must be a whole number");
    }
  }
}
