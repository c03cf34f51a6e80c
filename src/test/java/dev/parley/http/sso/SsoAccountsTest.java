package dev.parley.http.sso;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testing.Await;
import dev.parley.testing.Operators;
import dev.parley.testing.ParleyConfig;
import dev.parley.testing.ParleyTest;
import dev.parley.testing.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Single sign-on on the whole app, with the real accounts behind it: a person the provider vouches for gets an
 * account (provisioning on) or their invited account brought to the mapped role, a working session cookie, and an
 * {@code auth.sso_login} entry in the audit log.
 */
@ParleyTest
@io.vertx.junit5.Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class SsoAccountsTest {

  private static MockOAuth2Server provider;
  private static TestApp app;
  private static OidcBrowser browser;

  @ParleyConfig
  static JsonObject config() {
    provider = new MockOAuth2Server();
    provider.start();
    JsonObject oidc = new JsonObject()
        .put("issuer", provider.issuerUrl("default").toString().replaceAll("/$", ""))
        .put("client_id", "parley-app-test")
        .put("client_secret", "app-test-client-secret-never-shown")
        .put("allowed_email_domains", new JsonArray().add("example.com"))
        .put("role_mapping", new JsonObject().put("parley-admins", "admin").put("parley-editors", "editor"))
        .put("provisioning", new JsonObject().put("enabled", true).put("default_role", "viewer"));
    return new JsonObject().put("sso", new JsonObject().put("oidc", oidc));
  }

  @BeforeAll
  static void browser() {
    browser = new OidcBrowser(app.vertx, app.port);
  }

  @AfterAll
  static void stop() {
    browser.close();
    provider.shutdown();
  }

  @Test
  void a_new_person_gets_an_account_with_the_mapped_role_and_a_session_that_works() {
    OidcBrowser.vouch(provider, OidcBrowser.claims("pat@example.com", "parley-editors").put("name", "Pat Doe"));
    HttpResponse<Buffer> callback = Await.result(browser.signIn());
    assertThat(callback.statusCode()).as(callback.bodyAsString()).isEqualTo(302);
    String session = Operators.sessionCookie(callback);
    assertThat(session).isNotNull();

    JsonObject me = Await.result(app.client.get("/api/me").putHeader("Cookie", "parley_session=" + session).send())
        .bodyAsJsonObject();
    assertThat(me.getString("email")).isEqualTo("pat@example.com");
    assertThat(me.getString("role")).isEqualTo("editor");
    assertThat(me.getString("csrf_token")).isNotBlank();

    String users = Await.result(app.admin(HttpMethod.GET, "/api/users").send()).bodyAsString();
    assertThat(users).contains("pat@example.com").contains("Pat Doe");
    JsonObject audit = Await.result(app.admin(HttpMethod.GET, "/api/audit?action=auth.sso_login").send())
        .bodyAsJsonObject();
    assertThat(audit.getJsonArray("entries")).hasSize(1);
    assertThat(audit.encode()).contains(me.getString("user_id")).doesNotContain(session)
        .doesNotContain("app-test-client-secret-never-shown");
  }

  @Test
  void a_new_person_without_a_name_claim_is_named_from_the_email_but_never_shown_as_the_address() {
    OidcBrowser.vouch(provider, OidcBrowser.claims("jo.ann_lee@example.com", "parley-editors"));
    HttpResponse<Buffer> callback = Await.result(browser.signIn());
    assertThat(callback.statusCode()).as(callback.bodyAsString()).isEqualTo(302);

    JsonArray all = Await.result(app.admin(HttpMethod.GET, "/api/users").send()).bodyAsJsonObject().getJsonArray("users");
    JsonObject jo = all.stream().map(JsonObject.class::cast)
        .filter(u -> u.getString("email").equals("jo.ann_lee@example.com")).findFirst().orElseThrow();
    assertThat(jo.getString("name")).isEqualTo("Jo Ann Lee");
  }

  @Test
  void an_invited_person_is_brought_to_the_role_the_provider_maps_and_keeps_one_account() {
    Operators people = new Operators(app);
    JsonObject invited = people.invite("sam@example.com", "viewer", null);
    OidcBrowser.vouch(provider, OidcBrowser.claims("Sam@Example.com", "parley-admins"));
    HttpResponse<Buffer> callback = Await.result(browser.signIn());
    assertThat(callback.statusCode()).as(callback.bodyAsString()).isEqualTo(302);

    JsonObject user = Await.result(app.admin(HttpMethod.GET, "/api/users/" + invited.getString("id")).send())
        .bodyAsJsonObject();
    assertThat(user.getString("role")).isEqualTo("admin");
    JsonArray all = Await.result(app.admin(HttpMethod.GET, "/api/users").send()).bodyAsJsonObject().getJsonArray("users");
    assertThat(all.stream().filter(u -> ((JsonObject) u).getString("email").equalsIgnoreCase("sam@example.com")))
        .hasSize(1);
  }

  @Test
  void a_refused_domain_gets_no_account_and_no_session() {
    OidcBrowser.vouch(provider, OidcBrowser.claims("eve@elsewhere.test", "parley-admins"));
    HttpResponse<Buffer> callback = Await.result(browser.signIn());
    assertThat(callback.statusCode()).isEqualTo(403);
    assertThat(Operators.sessionCookie(callback)).isNull();
    assertThat(Await.result(app.admin(HttpMethod.GET, "/api/users").send()).bodyAsString())
        .doesNotContain("eve@elsewhere.test");
  }
}
