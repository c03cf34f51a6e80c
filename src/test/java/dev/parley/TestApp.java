package dev.parley;

import dev.parley.fake.FakeAnthropic;
import dev.parley.fake.FakeOpenAi;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A whole Parley (every role, real SQLite in a temp folder) against fake OpenAI and Anthropic
 * servers on loopback, with a web client pointed at it.
 */
public final class TestApp {

  public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
  public static final String SECRET_KEY = "test master key for parley tests";

  public final Vertx vertx;
  public final FakeOpenAi openai;
  public final FakeAnthropic anthropic;
  public final WebClient client;
  public final int port;
  public final Path dataDir;
  public final JsonObject config;

  private TestApp(Vertx vertx, FakeOpenAi openai, FakeAnthropic anthropic, int port, Path dataDir, JsonObject config) {
    this.vertx = vertx;
    this.openai = openai;
    this.anthropic = anthropic;
    this.port = port;
    this.dataDir = dataDir;
    this.config = config;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  public static Future<TestApp> start(Vertx vertx, Path dataDir) {
    return start(vertx, dataDir, new JsonObject());
  }

  /** Starts the fakes and Parley; {@code overrides} are deep-merged over the test config. */
  public static Future<TestApp> start(Vertx vertx, Path dataDir, JsonObject overrides) {
    return Future.all(FakeOpenAi.start(vertx), FakeAnthropic.start(vertx)).compose(fakes -> {
      FakeOpenAi openai = fakes.resultAt(0);
      FakeAnthropic anthropic = fakes.resultAt(1);
      int port = freePort();
      JsonObject config = config(dataDir, port, openai, anthropic).mergeIn(overrides, true);
      return vertx.deployVerticle(new MainVerticle(), new DeploymentOptions().setConfig(config))
          .map(id -> new TestApp(vertx, openai, anthropic, port, dataDir, config));
    });
  }

  public static JsonObject config(Path dataDir, int port, FakeOpenAi openai, FakeAnthropic anthropic) {
    JsonObject config = defaults();
    config.put("data_dir", dataDir.toString());
    config.put("public_url", "http://127.0.0.1:" + port);
    config.put("admin_token", ADMIN_TOKEN);
    config.put("secret_key", SECRET_KEY);
    config.getJsonObject("http").put("host", "127.0.0.1").put("port", port);
    JsonObject provider = config.getJsonObject("provider");
    provider.put("connect_timeout_ms", 2_000).put("idle_timeout_ms", 3_000).put("request_timeout_ms", 5_000)
        .put("backoff_initial_ms", 20).put("backoff_max_ms", 100);
    provider.getJsonObject("openai").put("base_url", openai.baseUrl());
    provider.getJsonObject("anthropic").put("base_url", anthropic.baseUrl());
    return config;
  }

  /** conf/config.json as shipped. */
  public static JsonObject defaults() {
    try (InputStream in = TestApp.class.getClassLoader().getResourceAsStream("conf/config.json")) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public HttpRequest<Buffer> admin(io.vertx.core.http.HttpMethod method, String path) {
    return client.request(method, path).putHeader("Authorization", "Bearer " + ADMIN_TOKEN);
  }

  /** Creates a bot through the admin API and returns it. */
  public Future<JsonObject> createBot(JsonObject fields) {
    return admin(io.vertx.core.http.HttpMethod.POST, "/api/bots").sendJsonObject(fields).map(response -> {
      if (response.statusCode() != 201) {
        throw new IllegalStateException("bot not created: " + response.statusCode() + " " + response.bodyAsString());
      }
      return response.bodyAsJsonObject();
    });
  }

  public Future<HttpResponse<Buffer>> chat(String botId, JsonObject body) {
    return client.post("/api/chat/" + botId).sendJsonObject(body);
  }
}
