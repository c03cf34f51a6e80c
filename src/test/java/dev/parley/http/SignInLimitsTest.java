package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import dev.parley.testing.TestApps;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Settings of sign-in that need an app of their own: https, the per-address limit, a retired bootstrap token. */
@ParleyTest(perTest = true)
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class SignInLimitsTest {

  @Test
  void the_session_cookie_is_secure_when_the_public_url_is_https(TestApps apps) {
    TestApp app = Await.result(apps.start(new JsonObject().put("public_url", "https://parley.example.test")));
    Operators people = new Operators(app);
    JsonObject created = people.invite(Operators.email("viewer"), "viewer", null);
    assertThat(created.getString("invite_url")).startsWith("https://parley.example.test/admin/#/invite/");
    people.accept(Operators.inviteToken(created), Operators.PASSWORD);
    HttpResponse<Buffer> login = people.login(created.getString("email"), Operators.PASSWORD);
    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(Operators.sessionSetCookie(login)).contains("Secure").containsIgnoringCase("HttpOnly")
        .contains("SameSite=Strict");
  }

  @Test
  void an_address_past_its_sign_in_attempts_gets_429_with_retry_after_and_others_do_not(TestApps apps) throws Exception {
    while (System.currentTimeMillis() % 60_000 > 50_000) {
      Thread.sleep(200);
    }
    JsonObject http = new JsonObject().put("login_attempts_per_minute", 3)
        .put("trusted_proxies", new JsonArray().add("127.0.0.1"));
    TestApp app = Await.result(apps.start(new JsonObject().put("http", http)));
    for (int i = 0; i < 3; i++) {
      assertThat(login(app, "203.0.113.7", Operators.email("guess" + i)).statusCode()).isEqualTo(401);
    }
    HttpResponse<Buffer> limited = login(app, "203.0.113.7", Operators.email("guess"));
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(Long.parseLong(limited.getHeader("Retry-After"))).isBetween(1L, 60L);
    assertThat(login(app, "203.0.113.8", Operators.email("other")).statusCode()).isEqualTo(401);
  }

  @Test
  void a_retired_bootstrap_token_is_refused_while_people_still_sign_in(TestApps apps) {
    TestApp app = Await.result(apps.start(new JsonObject().put("http", new JsonObject().put("admin_token_disabled", true))));
    HttpResponse<Buffer> setUp = Await.result(app.client.post("/api/setup").sendJsonObject(new JsonObject()
        .put("email", "owner@example.test").put("name", "Owner").put("password", Operators.PASSWORD)));
    assertThat(setUp.statusCode()).isEqualTo(201);
    HttpResponse<Buffer> refused = Await.result(app.admin(HttpMethod.GET, "/api/bots").send());
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(Await.result(app.client.get("/api/bots").putHeader("Cookie", "parley_session="
        + Operators.sessionCookie(setUp)).send()).statusCode()).isEqualTo(200);
  }

  private static HttpResponse<Buffer> login(TestApp app, String address, String email) {
    return Await.result(app.client.post("/api/auth/login").putHeader("X-Forwarded-For", address)
        .sendJsonObject(new JsonObject().put("email", email).put("password", "some guessed password")));
  }
}
