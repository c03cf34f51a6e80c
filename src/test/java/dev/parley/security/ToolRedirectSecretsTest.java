package dev.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.testing.ToolShop;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An HTTP tool's secret headers are for the origin of its URL: a server there that redirects a GET elsewhere (another
 * host, port or scheme) does not get Parley to carry them to the {@code Location}, while a redirect on the same origin
 * keeps them. Through the admin's "test this tool" route, which runs the tool as a chat turn would.
 */
@ParleyTest
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ToolRedirectSecretsTest {

  static final String SECRET = "Bearer tool-" + LogCanary.MARK + "-redirect";

  static TestApp app;
  static final List<MultiMap> elsewhere = new CopyOnWriteArrayList<>();
  static final List<MultiMap> home = new CopyOnWriteArrayList<>();
  static HttpServer collector;
  static HttpServer redirector;

  @ParleyConfig
  static Future<JsonObject> config(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(request -> {
      elsewhere.add(request.headers());
      request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"elsewhere\"}");
    }).listen(0, "127.0.0.1").compose(target -> {
      collector = target;
      return vertx.createHttpServer().requestHandler(request -> {
        home.add(request.headers());
        String location = request.path().equals("/away") ? "http://localhost:" + collector.actualPort() + "/orders"
            : request.path().equals("/here") ? "/done" : null;
        if (location != null) {
          request.response().setStatusCode(302).putHeader("Location", location).end();
        } else {
          request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"home\"}");
        }
      }).listen(0, "127.0.0.1");
    }).map(listening -> {
      redirector = listening;
      return new JsonObject().put("tool", ToolShop.allowLoopback());
    });
  }

  static Future<JsonObject> test(String path) {
    JsonObject tool = new JsonObject().put("type", "http").put("name", "lookup").put("description", "Looks up")
        .put("method", "GET").put("url", "http://127.0.0.1:" + redirector.actualPort() + path)
        .put("parameters", new JsonObject().put("type", "object").put("properties", new JsonObject()))
        .put("secret_headers", new JsonObject().put("Authorization", SECRET));
    return app.createBot(new JsonObject().put("name", "Redirecting tool").put("provider", "extractive")
            .put("tools", new JsonArray().add(tool)))
        .compose(bot -> app.admin(HttpMethod.POST, "/api/bots/" + bot.getString("id") + "/tools/lookup/test")
            .sendJsonObject(new JsonObject().put("arguments", new JsonObject())))
        .map(response -> response.bodyAsJsonObject());
  }

  @Test
  void a_redirect_to_another_origin_does_not_carry_the_tools_secret_headers(VertxTestContext ctx) {
    test("/away").onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      assertThat(home).extracting(headers -> headers.get("Authorization")).contains(SECRET);
      assertThat(elsewhere).as("the redirect was followed").hasSize(1);
      assertThat(elsewhere.get(0).get("Authorization")).as("the secret at the Location's host").isNull();
      ctx.completeNow();
    })));
  }

  @Test
  void a_redirect_on_the_same_origin_keeps_the_secret_headers(VertxTestContext ctx) {
    home.clear();
    test("/here").onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      assertThat(home).hasSize(2).allSatisfy(headers -> assertThat(headers.get("Authorization")).isEqualTo(SECRET));
      ctx.completeNow();
    })));
  }
}
