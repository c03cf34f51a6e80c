package dev.parley.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;

/** A bot's API keys ({@code pk_…}) made through the admin API, and requests that present one. */
public final class BotKeys {

  private final TestApp app;

  public BotKeys(TestApp app) {
    this.app = app;
  }

  /** A new key of {@code botId}, made by the admin: {@code {id, key, hint, …}}. */
  public JsonObject create(String botId, String name) {
    HttpResponse<Buffer> created = Await.result(app.admin(HttpMethod.POST, "/api/bots/" + botId + "/api-keys")
        .sendJsonObject(new JsonObject().put("name", name)));
    if (created.statusCode() != 201) {
      throw new IllegalStateException("key not created: " + created.statusCode() + " " + created.bodyAsString());
    }
    return created.bodyAsJsonObject();
  }

  /** The secret of a new key of {@code botId}. */
  public String key(String botId) {
    return create(botId, "test key").getString("key");
  }

  /** A request to Parley presenting {@code key} as OpenAI clients do. */
  public HttpRequest<Buffer> with(String key, HttpMethod method, String path) {
    HttpRequest<Buffer> request = app.client.request(method, path);
    return key == null ? request : request.putHeader("Authorization", "Bearer " + key);
  }

  /** The base URL an OpenAI client is given for Parley. */
  public String openAiBaseUrl() {
    return "http://127.0.0.1:" + app.port + "/v1";
  }
}
