package dev.parley.http.sso;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.common.Role;
import dev.parley.http.HttpVerticle;
import dev.parley.http.RouterAccess;
import dev.parley.testing.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single sign-on against a real OpenID Connect provider (mock-oauth2-server, in process): discovery, code with PKCE,
 * the ID token's checks, the admission rules, and that no refusal starts a session. The HTTP verticle runs alone
 * with {@link RecordingAccounts} as both seams; each flow enqueues the claims the provider is to vouch for.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class OidcSignInTest {

  private static final String CLIENT_ID = "parley-test";
  private static final String SECRET = "client-secret-that-must-never-show";

  @TempDir
  static Path dataDir;

  private static MockOAuth2Server provider;
  private static final RecordingAccounts accounts = new RecordingAccounts();
  private static int port;
  private static OidcBrowser browser;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext test) {
    provider = new MockOAuth2Server();
    provider.start();
    port = TestApp.freePort();
    browser = new OidcBrowser(vertx, port);
    deploy(vertx, port, sso -> sso).onComplete(test.succeedingThenComplete());
  }

  @AfterAll
  static void stop() {
    browser.close();
    provider.shutdown();
  }

  @BeforeEach
  void clear() {
    accounts.reset();
  }

  @Test
  void login_redirects_to_the_provider_with_state_nonce_and_an_s256_challenge(VertxTestContext test) {
    browser.login().onComplete(test.succeeding(started -> test.verify(() -> {
      assertThat(started.response().statusCode()).isEqualTo(302);
      Map<String, String> query = query(started.authorizeUrl());
      assertThat(started.authorizeUrl()).startsWith(issuer() + "/authorize");
      assertThat(query).containsEntry("response_type", "code").containsEntry("client_id", CLIENT_ID)
          .containsEntry("redirect_uri", "http://127.0.0.1:" + port + "/auth/oidc/callback")
          .containsEntry("code_challenge_method", "S256");
      assertThat(query.get("scope").split(" ")).contains("openid", "email");
      assertThat(query.get("state")).hasSizeGreaterThanOrEqualTo(43);
      assertThat(query.get("nonce")).hasSizeGreaterThanOrEqualTo(43).isNotEqualTo(query.get("state"));
      assertThat(query.get("code_challenge")).hasSize(43);
      String setCookie = started.response().cookies().get(0);
      assertThat(setCookie).containsIgnoringCase("HttpOnly").contains("SameSite=Lax").contains("Path=/auth/oidc");
      assertThat(started.flowCookie()).doesNotContain(query.get("state")).doesNotContain(query.get("nonce"));
      test.completeNow();
    })));
  }

  @Test
  void signs_in_a_known_user_with_the_highest_role_mapped_from_groups(VertxTestContext test) {
    accounts.users.put("ann@example.com", new ExistingUser("u-ann", Role.VIEWER));
    vouchFor(claims("Ann@Example.com", "parley-editors", "parley-admins").put("name", "Ann Example"));
    browser.signIn().onComplete(test.succeeding(response -> test.verify(() -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(302);
      assertThat(response.getHeader("Location")).isEqualTo("/admin/");
      assertThat(response.cookies()).anyMatch(c -> c.startsWith("parley_session=test-session-1"))
          .anyMatch(c -> c.startsWith(SignInFlow.COOKIE + "=;") && c.contains("Max-Age=0"));
      assertThat(accounts.signedIn).containsExactly(
          new VerifiedIdentity("subject-ann", "ann@example.com", "Ann Example", Role.ADMIN, "u-ann"));
      test.completeNow();
    })));
  }

  @Test
  void a_single_string_claim_maps_too(VertxTestContext test) {
    accounts.users.put("bo@example.com", new ExistingUser("u-bo", Role.OWNER));
    vouchFor(new JsonObject().put("email", "bo@example.com").put("groups", "parley-editors"));
    browser.signIn().onComplete(test.succeeding(response -> test.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(302);
      assertThat(accounts.signedIn).singleElement().extracting(VerifiedIdentity::role).isEqualTo(Role.EDITOR);
      test.completeNow();
    })));
  }

  @Test
  void refuses_an_email_outside_the_allowed_domains(VertxTestContext test) {
    accounts.users.put("eve@evil.example", new ExistingUser("u-eve", Role.OWNER));
    signInRefused(test, claims("eve@evil.example", "parley-admins"), 403, "sso_domain_refused");
  }

  @Test
  void refuses_an_email_the_provider_has_not_verified(VertxTestContext test) {
    accounts.users.put("ann@example.com", new ExistingUser("u-ann", Role.VIEWER));
    signInRefused(test, claims("ann@example.com", "parley-admins").put("email_verified", false), 403, "sso_email_unverified");
  }

  @Test
  void refuses_a_tampered_state(VertxTestContext test) {
    // refused before the code is exchanged: nothing is enqueued at the provider for the next test to take
    browser.login().compose(started -> browser.authorize(started.authorizeUrl()).compose(callback -> {
      String state = query(callback).get("state");
      return browser.callback(callback.replace("state=" + state, "state=" + state.substring(1) + "A"),
          started.flowCookie());
    })).onComplete(refused(test, 400, "sso_state_mismatch"));
  }

  @Test
  void refuses_a_forged_flow_cookie(VertxTestContext test) {
    // refused before the code is exchanged: nothing is enqueued at the provider for the next test to take
    browser.login().compose(started -> browser.authorize(started.authorizeUrl()).compose(callback -> {
      String cookie = started.flowCookie();
      int flip = cookie.length() - 10;
      String forged = cookie.substring(0, flip) + (cookie.charAt(flip) == 'A' ? 'B' : 'A') + cookie.substring(flip + 1);
      return browser.callback(callback, forged);
    })).onComplete(refused(test, 400, "sso_state_invalid"));
  }

  @Test
  void refuses_a_callback_from_a_browser_that_did_not_start_the_sign_in(VertxTestContext test) {
    // refused before the code is exchanged: nothing is enqueued at the provider for the next test to take
    browser.login().compose(started -> browser.authorize(started.authorizeUrl()))
        .compose(callback -> browser.callback(callback, null))
        .onComplete(refused(test, 400, "sso_state_missing"));
  }

  @Test
  void refuses_a_replayed_callback(VertxTestContext test) {
    accounts.users.put("ann@example.com", new ExistingUser("u-ann", Role.VIEWER));
    vouchFor(claims("ann@example.com", "parley-admins"));
    browser.login().compose(started -> browser.authorize(started.authorizeUrl())
        .compose(callback -> browser.callback(callback, started.flowCookie()).compose(first -> {
          assertThat(first.statusCode()).isEqualTo(302);
          assertThat(accounts.signedIn).hasSize(1);
          accounts.signedIn.clear();
          return browser.callback(callback, started.flowCookie());
        }))).onComplete(refused(test, 400, "sso_state_replayed"));
  }

  @Test
  void refuses_an_id_token_issued_for_another_sign_in(VertxTestContext test) {
    accounts.users.put("ann@example.com", new ExistingUser("u-ann", Role.VIEWER));
    signInRefused(test, claims("ann@example.com", "parley-admins").put("nonce", "a-nonce-from-another-sign-in"), 403, "sso_nonce_mismatch");
  }

  @Test
  void refuses_an_expired_id_token(VertxTestContext test) {
    accounts.users.put("ann@example.com", new ExistingUser("u-ann", Role.VIEWER));
    provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", "subject-ann", "JWT", null,
        OidcBrowser.plain(claims("ann@example.com", "parley-admins")), -300L));
    browser.signIn().onComplete(refused(test, 403, "sso_token_expired"));
  }

  @Test
  void refuses_an_unknown_user_while_provisioning_is_off(VertxTestContext test) {
    signInRefused(test, claims("new@example.com", "parley-admins"), 403, "sso_unknown_user");
  }

  @Test
  void refuses_a_known_user_whose_groups_map_to_no_role(VertxTestContext test) {
    accounts.users.put("ann@example.com", new ExistingUser("u-ann", Role.OWNER));
    signInRefused(test, claims("ann@example.com", "marketing"), 403, "sso_no_role");
  }

  @Test
  void a_browser_is_refused_with_a_page_not_json(VertxTestContext test) {
    browser.page("/auth/oidc/callback?code=x&state=y").onComplete(test.succeeding(page -> test.verify(() -> {
      assertThat(page.statusCode()).isEqualTo(400);
      assertThat(page.getHeader("Content-Type")).startsWith("text/html");
      assertThat(page.getHeader("Content-Security-Policy")).isEqualTo("default-src 'none'");
      assertThat(page.bodyAsString()).contains("Sign-in refused").contains("sso_state_missing");
      assertThat(accounts.signedIn).isEmpty();
      test.completeNow();
    })));
  }

  @Test
  void the_admin_is_told_where_single_sign_on_starts(VertxTestContext test) {
    browser.get("/api/auth/sso").onComplete(test.succeeding(response -> test.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject()
          .put("oidc", new JsonObject().put("enabled", true).put("login_url", "/auth/oidc/login")));
      test.completeNow();
    })));
  }

  @Test
  void provisions_an_unknown_user_with_the_default_role_when_provisioning_is_on(Vertx vertx, VertxTestContext test) {
    vouchFor(claims("new@example.com", "marketing").put("name", "New Person"));
    onAnotherServer(vertx, other -> deploy(vertx, other,
        sso -> sso.put("provisioning", new JsonObject().put("enabled", true).put("default_role", "viewer"))),
        OidcBrowser::signIn)
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(302);
          assertThat(accounts.signedIn).containsExactly(
              new VerifiedIdentity("subject-new", "new@example.com", "New Person", Role.VIEWER, null));
          assertThat(accounts.signedIn.get(0).provisioned()).isTrue();
          test.completeNow();
        })));
  }

  @Test
  void without_single_sign_on_the_routes_say_it_is_off(Vertx vertx, VertxTestContext test) {
    onAnotherServer(vertx,
        other -> RouterAccess.deploy(vertx, new HttpVerticle(), appConfig(other).put("sso", new JsonObject())),
        browser -> Future.all(browser.get("/api/auth/sso"), browser.get("/auth/oidc/login")))
        .onComplete(test.succeeding(both -> test.verify(() -> {
          HttpResponse<Buffer> described = both.resultAt(0);
          HttpResponse<Buffer> login = both.resultAt(1);
          assertThat(described.bodyAsJsonObject().getJsonObject("oidc")).isEqualTo(new JsonObject().put("enabled", false));
          assertThat(login.statusCode()).isEqualTo(404);
          assertThat(login.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("sso_disabled");
          test.completeNow();
        })));
  }

  @Test
  void sign_in_answers_503_while_the_provider_cannot_be_reached(Vertx vertx, VertxTestContext test) {
    onAnotherServer(vertx,
        other -> deploy(vertx, other, sso -> sso.put("issuer", "http://127.0.0.1:" + TestApp.freePort() + "/nobody")),
        OidcBrowser::login)
        .onComplete(test.succeeding(started -> test.verify(() -> {
          assertThat(started.response().statusCode()).isEqualTo(503);
          assertThat(started.response().bodyAsJsonObject().getJsonObject("error").getString("code"))
              .isEqualTo("sso_unavailable");
          assertThat(started.flowCookie()).isNull();
          test.completeNow();
        })));
  }

  @Test
  void a_mistake_in_the_config_fails_the_start_naming_the_key(Vertx vertx, VertxTestContext test) {
    deploy(vertx, TestApp.freePort(), sso -> sso.put("role_mapping", new JsonObject().put("staff", "superuser")))
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertThat(failure.getMessage()).contains("sso.oidc.role_mapping.staff").doesNotContain(SECRET);
          test.completeNow();
        })));
  }

  @Test
  void the_client_secret_does_not_show_in_the_settings_text() {
    OidcSettings settings = OidcSettings.from(new JsonObject().put("oidc", oidcConfig()), "http://127.0.0.1:1");
    assertThat(settings.clientSecret()).isEqualTo(SECRET);
    assertThat(settings.toString()).doesNotContain(SECRET).contains("client_secret=set");
  }

  @Test
  void the_sign_in_flow_cookie_is_secure_when_the_public_url_is_https_in_any_case() {
    assertThat(OidcSettings.from(new JsonObject().put("oidc", oidcConfig()), "HTTPS://Chat.Example.com").secureCookie())
        .isTrue();
    assertThat(OidcSettings.from(new JsonObject().put("oidc", oidcConfig()), "http://127.0.0.1:1").secureCookie())
        .isFalse();
  }

  /** Runs {@code steps} against an HTTP verticle that {@code deploy} starts on another port, then undeploys it. */
  private static <T> Future<T> onAnotherServer(Vertx vertx, Function<Integer, Future<String>> deploy,
      Function<OidcBrowser, Future<T>> steps) {
    int other = TestApp.freePort();
    OidcBrowser second = new OidcBrowser(vertx, other);
    return deploy.apply(other).compose(id -> steps.apply(second).eventually(() -> vertx.undeploy(id)))
        .eventually(() -> {
          second.close();
          return Future.succeededFuture();
        });
  }

  private static Future<String> deploy(Vertx vertx, int port, Function<JsonObject, JsonObject> change) {
    JsonObject config = appConfig(port).put("sso", new JsonObject().put("oidc", change.apply(oidcConfig())));
    return RouterAccess.deploy(vertx, new HttpVerticle(accounts, accounts), config);
  }

  private static JsonObject appConfig(int port) {
    JsonObject config = TestApp.defaults();
    config.put("data_dir", dataDir.toString()).put("public_url", "http://127.0.0.1:" + port)
        .put("secret_key", TestApp.SECRET_KEY);
    config.getJsonObject("http").put("host", "127.0.0.1").put("port", port);
    return config;
  }

  private static JsonObject oidcConfig() {
    return new JsonObject()
        .put("issuer", issuer())
        .put("client_id", CLIENT_ID)
        .put("client_secret", SECRET)
        .put("allowed_email_domains", new JsonArray().add("example.com"))
        .put("role_claim", "groups")
        .put("role_mapping", new JsonObject().put("parley-admins", "admin").put("parley-editors", "editor"));
  }

  private static String issuer() {
    return provider.issuerUrl("default").toString().replaceAll("/$", "");
  }

  /** The next sign-in's ID token carries these claims (the subject is {@code subject-} and the email's local part). */
  private static void vouchFor(JsonObject claims) {
    OidcBrowser.vouch(provider, claims);
  }

  private static JsonObject claims(String email, String... groups) {
    return OidcBrowser.claims(email, groups);
  }

  /** A sign-in the provider vouches for with {@code claims}, which Parley must refuse. */
  private static void signInRefused(VertxTestContext test, JsonObject claims, int status, String code) {
    vouchFor(claims);
    browser.signIn().onComplete(refused(test, status, code));
  }

  private static io.vertx.core.Handler<io.vertx.core.AsyncResult<HttpResponse<Buffer>>> refused(VertxTestContext test,
      int status, String code) {
    return test.succeeding(response -> test.verify(() -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo(code);
      assertThat(response.cookies()).noneMatch(c -> c.startsWith(RecordingAccounts.SESSION_COOKIE + "="))
          .anyMatch(c -> c.startsWith(SignInFlow.COOKIE + "=;"));
      assertThat(accounts.signedIn).isEmpty();
      test.completeNow();
    }));
  }

  private static Map<String, String> query(String url) {
    Map<String, String> values = new HashMap<>();
    for (String pair : URI.create(url).getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return values;
  }
}
