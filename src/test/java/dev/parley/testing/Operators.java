package dev.parley.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * People of one {@link TestApp}, made through its API as an owner would: invited with the bootstrap token, their
 * password set through the invite, signed in with email and password. Blocking: call from the test thread.
 */
public final class Operators {

  public static final String PASSWORD = "correct horse battery staple";
  private static final AtomicInteger COUNT = new AtomicInteger();

  /** A signed-in person: the {@code parley_session} cookie's value, its CSRF token and the user. */
  public record SignedIn(String session, String csrf, JsonObject user) {

    public String id() {
      return user.getString("id");
    }
  }

  private final TestApp app;

  /**
   * The config override of a test class whose one address signs in many times ({@code http.login_attempts_per_minute}
   * raised: the per-address limit has its own test).
   */
  public static JsonObject manySignIns() {
    return new JsonObject().put("http", new JsonObject().put("login_attempts_per_minute", 1_000));
  }

  public Operators(TestApp app) {
    this.app = app;
  }

  /** A fresh address for a test's person, unique across the run. */
  public static String email(String who) {
    return who + "-" + COUNT.incrementAndGet() + "@example.test";
  }

  /** {@code POST /api/users} with the bootstrap token; fails unless 201. */
  public JsonObject invite(String email, String role, JsonArray botIds) {
    JsonObject body = new JsonObject().put("email", email).put("name", "Test " + role).put("role", role);
    if (botIds != null) {
      body.put("bot_ids", botIds);
    }
    HttpResponse<Buffer> response = Await.result(app.admin(HttpMethod.POST, "/api/users").sendJsonObject(body));
    if (response.statusCode() != 201) {
      throw new IllegalStateException("user not created: " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  /** Puts the user's invite past its expiry, as 72 hours later would. */
  public void expireInvite(String userId) {
    try (var db = app.jdbc(); var expire = db.prepareStatement("UPDATE users SET invite_expires_at = 1 WHERE id = ?")) {
      expire.setString(1, userId);
      if (expire.executeUpdate() != 1) {
        throw new IllegalStateException("no user " + userId);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The invite token at the end of a created user's {@code invite_url}. */
  public static String inviteToken(JsonObject created) {
    String url = created.getString("invite_url");
    return url.substring(url.lastIndexOf('/') + 1);
  }

  public HttpResponse<Buffer> accept(String inviteToken, String password) {
    return Await.result(app.client.post("/api/invites/" + inviteToken)
        .sendJsonObject(new JsonObject().put("password", password)));
  }

  public HttpResponse<Buffer> login(String email, String password) {
    return Await.result(app.client.post("/api/auth/login")
        .sendJsonObject(new JsonObject().put("email", email).put("password", password)));
  }

  /** Invites someone, sets their password and signs them in. */
  public SignedIn person(String role, JsonArray botIds) {
    String email = email(role);
    JsonObject created = invite(email, role, botIds);
    HttpResponse<Buffer> accepted = accept(inviteToken(created), PASSWORD);
    if (accepted.statusCode() != 200) {
      throw new IllegalStateException("invite not accepted: " + accepted.statusCode() + " " + accepted.bodyAsString());
    }
    return signIn(email, PASSWORD);
  }

  /** Signs in; fails unless 200. */
  public SignedIn signIn(String email, String password) {
    HttpResponse<Buffer> response = login(email, password);
    if (response.statusCode() != 200) {
      throw new IllegalStateException("not signed in: " + response.statusCode() + " " + response.bodyAsString());
    }
    JsonObject body = response.bodyAsJsonObject();
    return new SignedIn(sessionCookie(response), body.getString("csrf_token"), body.getJsonObject("user"));
  }

  /** The value a response sets {@code parley_session} to, or null. */
  public static String sessionCookie(HttpResponse<Buffer> response) {
    for (String cookie : response.cookies()) {
      if (cookie.startsWith("parley_session=")) {
        return cookie.substring("parley_session=".length(), cookie.indexOf(';') < 0 ? cookie.length() : cookie.indexOf(';'));
      }
    }
    return null;
  }

  /** The whole {@code Set-Cookie} header of {@code parley_session}, or null. */
  public static String sessionSetCookie(HttpResponse<Buffer> response) {
    return response.cookies().stream().filter(c -> c.startsWith("parley_session=")).findFirst().orElse(null);
  }

  /** A request as {@code who}: the cookie, and the CSRF header a page would send. */
  public HttpRequest<Buffer> as(SignedIn who, HttpMethod method, String path) {
    return app.client.request(method, path).putHeader("Cookie", "parley_session=" + who.session())
        .putHeader("X-CSRF-Token", who.csrf());
  }

  /** A request with {@code Authorization: Bearer token}. */
  public HttpRequest<Buffer> bearer(String token, HttpMethod method, String path) {
    return app.client.request(method, path).putHeader("Authorization", "Bearer " + token);
  }

  /** Makes an API token for {@code who}; fails unless 201. */
  public String token(SignedIn who, String name) {
    HttpResponse<Buffer> response = Await.result(as(who, HttpMethod.POST, "/api/tokens")
        .sendJsonObject(new JsonObject().put("name", name)));
    if (response.statusCode() != 201) {
      throw new IllegalStateException("token not created: " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject().getString("token");
  }
}
