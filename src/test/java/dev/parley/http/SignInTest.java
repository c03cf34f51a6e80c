package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Operators;
import dev.parley.testing.Operators.SignedIn;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Password sign-in as a person and as an attacker would use it: invite → password → sign-in → me; the cookie's flags;
 * CSRF; no session fixation; sign-out; the same answer for a wrong password and an unknown email; the lockout.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class SignInTest {

  private static TestApp app;
  private static Operators people;

  @ParleyConfig
  static JsonObject config() {
    return Operators.manySignIns();
  }

  @BeforeAll
  static void people() {
    people = new Operators(app);
  }

  @Test
  void an_invited_person_sets_a_password_signs_in_and_sees_themself() {
    String email = Operators.email("editor");
    JsonObject created = people.invite(email, "editor", new JsonArray().add("bot_one"));
    assertThat(created.getString("invite_url")).startsWith(app.config.getString("public_url") + "/admin/#/invite/pi_");
    assertThat(created.getString("role")).isEqualTo("editor");
    assertThat(created.getJsonArray("bot_ids")).containsExactly("bot_one");
    assertThat(created.encode()).doesNotContain("hash");

    HttpResponse<Buffer> accepted = people.accept(Operators.inviteToken(created), Operators.PASSWORD);
    assertThat(accepted.statusCode()).isEqualTo(200);
    SignedIn editor = people.signIn(email, Operators.PASSWORD);

    HttpResponse<Buffer> me = Await.result(people.as(editor, HttpMethod.GET, "/api/me").send());
    assertThat(me.statusCode()).isEqualTo(200);
    JsonObject body = me.bodyAsJsonObject();
    assertThat(body.getString("kind")).isEqualTo("user");
    assertThat(body.getString("email")).isEqualTo(email);
    assertThat(body.getString("role")).isEqualTo("editor");
    assertThat(body.getJsonArray("bot_ids")).containsExactly("bot_one");
    assertThat(body.getString("csrf_token")).isEqualTo(editor.csrf()).hasSize(64);
  }

  @Test
  void an_invite_works_once_and_needs_a_long_enough_password() {
    JsonObject created = people.invite(Operators.email("viewer"), "viewer", null);
    String token = Operators.inviteToken(created);
    HttpResponse<Buffer> tooShort = people.accept(token, "short-pass1");
    assertThat(tooShort.statusCode()).isEqualTo(422);
    assertThat(tooShort.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo("password");
    assertThat(people.accept(token, Operators.PASSWORD).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> again = people.accept(token, "another password of mine");
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(again.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invite_invalid");
    assertThat(people.accept("pi_made-up-invite-token", Operators.PASSWORD).statusCode()).isEqualTo(404);
  }

  @Test
  void rejects_an_expired_invite() throws Exception {
    JsonObject created = people.invite(Operators.email("agent"), "agent", null);
    Await.result(app.vertx.executeBlocking(() -> {
      try (var connection = app.jdbc(); var statement = connection.prepareStatement(
          "UPDATE users SET invite_expires_at = ? WHERE id = ?")) {
        statement.setLong(1, System.currentTimeMillis() - 1);
        statement.setString(2, created.getString("id"));
        return statement.executeUpdate();
      }
    }));
    assertThat(people.accept(Operators.inviteToken(created), Operators.PASSWORD).statusCode()).isEqualTo(404);
  }

  @Test
  void the_session_cookie_is_http_only_same_site_strict_on_the_whole_site_and_not_secure_over_http() {
    SignedIn viewer = people.person("viewer", null);
    HttpResponse<Buffer> login = people.login(viewer.user().getString("email"), Operators.PASSWORD);
    String cookie = Operators.sessionSetCookie(login);
    assertThat(cookie).containsIgnoringCase("HttpOnly").contains("SameSite=Strict").contains("Path=/").doesNotContain("Secure")
        .doesNotContain("Max-Age");
  }

  @Test
  void a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    SignedIn agent = people.person("agent", null);
    HttpResponse<Buffer> wrong = people.login(agent.user().getString("email"), "not the password at all");
    HttpResponse<Buffer> unknown = people.login(Operators.email("nobody"), "not the password at all");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(wrong.statusCode());
    JsonObject wrongError = wrong.bodyAsJsonObject().getJsonObject("error");
    JsonObject unknownError = unknown.bodyAsJsonObject().getJsonObject("error");
    wrongError.remove("request_id");
    unknownError.remove("request_id");
    assertThat(unknownError).isEqualTo(wrongError);
    assertThat(wrongError.getString("code")).isEqualTo("invalid_credentials");
    assertThat(new java.util.TreeSet<>(unknown.headers().names())).isEqualTo(new java.util.TreeSet<>(wrong.headers().names()));
    assertThat(Operators.sessionCookie(wrong)).isNull();
    assertThat(Operators.sessionCookie(unknown)).isNull();
  }

  @Test
  void a_wrong_password_and_an_unknown_email_take_about_the_same_time() {
    people.login(Operators.email("warm-up"), "not the password at all");
    // medians of eight timings each, taken in turn, so one pause of the JVM or the machine does not decide; four
    // guesses per known address keep each under the lockout (five), so every one is a password check
    long[] wrong = new long[8];
    long[] unknown = new long[8];
    for (int person = 0; person < 2; person++) {
      String known = people.person("agent", null).user().getString("email");
      for (int i = 0; i < 4; i++) {
        long start = System.nanoTime();
        assertThat(people.login(known, "not the password at all " + i).statusCode()).isEqualTo(401);
        wrong[person * 4 + i] = System.nanoTime() - start;
        start = System.nanoTime();
        assertThat(people.login(Operators.email("nobody"), "not the password at all").statusCode()).isEqualTo(401);
        unknown[person * 4 + i] = System.nanoTime() - start;
      }
    }
    // both check an Argon2id hash: the unknown email is not answered in a fraction of the time
    assertThat((double) median(unknown) / median(wrong)).isBetween(0.5, 2.0);
  }

  private static long median(long[] timings) {
    long[] sorted = timings.clone();
    java.util.Arrays.sort(sorted);
    return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }

  @Test
  void five_failures_lock_the_account_for_fifteen_minutes_even_for_the_right_password() {
    SignedIn viewer = people.person("viewer", null);
    String email = viewer.user().getString("email");
    for (int i = 0; i < 5; i++) {
      assertThat(people.login(email, "wrong password number " + i).statusCode()).isEqualTo(401);
    }
    HttpResponse<Buffer> locked = people.login(email.toUpperCase(), Operators.PASSWORD);
    assertThat(locked.statusCode()).isEqualTo(429);
    assertThat(locked.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("too_many_sign_ins");
    assertThat(Long.parseLong(locked.getHeader("Retry-After"))).isBetween(800L, 900L);
    assertThat(Operators.sessionCookie(locked)).isNull();
    // the session from before the lockout still works: the lock is on signing in
    assertThat(Await.result(people.as(viewer, HttpMethod.GET, "/api/me").send()).statusCode()).isEqualTo(200);
  }

  @Test
  void guesses_sent_all_at_once_get_no_more_password_checks_than_the_limit() {
    SignedIn viewer = people.person("viewer", null);
    String email = viewer.user().getString("email");
    java.util.List<io.vertx.core.Future<HttpResponse<Buffer>>> guesses = new java.util.ArrayList<>();
    // twenty connections: the test client's pool of five would send them in waves
    io.vertx.ext.web.client.WebClient wide = io.vertx.ext.web.client.WebClient.create(app.vertx,
        new io.vertx.ext.web.client.WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(app.port),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(20));
    for (int i = 0; i < 20; i++) {
      guesses.add(wide.post("/api/auth/login")
          .sendJsonObject(new JsonObject().put("email", email).put("password", "guess number " + i)));
    }
    int checked = 0;
    for (io.vertx.core.Future<HttpResponse<Buffer>> guess : guesses) {
      int status = Await.result(guess).statusCode();
      assertThat(status).isIn(401, 429);
      checked += status == 401 ? 1 : 0;
    }
    wide.close();
    assertThat(checked).as("guesses whose password was checked (the rest were 429)").isEqualTo(5);
    assertThat(people.login(email, Operators.PASSWORD).statusCode()).as("the right password, now").isEqualTo(429);
  }

  @Test
  void an_unknown_email_is_locked_out_like_a_known_one() {
    String nobody = Operators.email("nobody");
    for (int i = 0; i < 5; i++) {
      people.login(nobody, "wrong password number " + i);
    }
    assertThat(people.login(nobody, "wrong password number 6").statusCode()).isEqualTo(429);
  }

  @Test
  void a_cookie_write_without_the_csrf_header_is_refused() {
    SignedIn owner = people.person("owner", null);
    JsonObject bot = new JsonObject().put("name", "csrf bot");
    HttpResponse<Buffer> noHeader = Await.result(app.client.post("/api/bots")
        .putHeader("Cookie", "parley_session=" + owner.session()).sendJsonObject(bot));
    assertThat(noHeader.statusCode()).isEqualTo(403);
    assertThat(noHeader.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("csrf_failed");
    HttpResponse<Buffer> wrongHeader = Await.result(app.client.post("/api/bots")
        .putHeader("Cookie", "parley_session=" + owner.session()).putHeader("X-CSRF-Token", "0".repeat(64))
        .sendJsonObject(bot));
    assertThat(wrongHeader.statusCode()).isEqualTo(403);
    assertThat(Await.result(people.as(owner, HttpMethod.POST, "/api/bots").sendJsonObject(bot)).statusCode()).isEqualTo(201);
    // reads need no header
    assertThat(Await.result(app.client.get("/api/bots").putHeader("Cookie", "parley_session=" + owner.session()).send())
        .statusCode()).isEqualTo(200);
  }

  @Test
  void signing_in_makes_a_new_session_and_ends_the_one_presented() {
    SignedIn first = people.person("viewer", null);
    String email = first.user().getString("email");
    HttpResponse<Buffer> planted = Await.result(app.client.post("/api/auth/login")
        .putHeader("Cookie", "parley_session=ps_chosen-by-an-attacker-0123456789")
        .sendJsonObject(new JsonObject().put("email", email).put("password", Operators.PASSWORD)));
    assertThat(Operators.sessionCookie(planted)).isNotNull().isNotEqualTo("ps_chosen-by-an-attacker-0123456789");

    HttpResponse<Buffer> again = Await.result(app.client.post("/api/auth/login")
        .putHeader("Cookie", "parley_session=" + first.session())
        .sendJsonObject(new JsonObject().put("email", email).put("password", Operators.PASSWORD)));
    String second = Operators.sessionCookie(again);
    assertThat(second).isNotEqualTo(first.session());
    assertThat(status(first.session(), "/api/me")).isEqualTo(401);
    assertThat(status(second, "/api/me")).isEqualTo(200);
  }

  @Test
  void signing_out_ends_the_session_and_clears_the_cookie() {
    SignedIn viewer = people.person("viewer", null);
    HttpResponse<Buffer> out = Await.result(people.as(viewer, HttpMethod.POST, "/api/auth/logout").send());
    assertThat(out.statusCode()).isEqualTo(204);
    assertThat(Operators.sessionSetCookie(out)).contains("Max-Age=0");
    assertThat(status(viewer.session(), "/api/me")).isEqualTo(401);
  }

  @Test
  void the_session_id_is_not_stored_in_clear() throws Exception {
    SignedIn viewer = people.person("viewer", null);
    String stored = Await.result(app.vertx.executeBlocking(app::storedText));
    assertThat(stored).doesNotContain(viewer.session()).doesNotContain(Operators.PASSWORD);
  }

  @Test
  void a_made_up_or_missing_session_is_401() {
    assertThat(status("ps_made-up-session-id-that-nobody-has", "/api/me")).isEqualTo(401);
    HttpResponse<Buffer> none = Await.result(app.client.get("/api/me").send());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unauthorized");
  }

  private static int status(String session, String path) {
    return Await.result(app.client.get(path).putHeader("Cookie", "parley_session=" + session).send()).statusCode();
  }
}
