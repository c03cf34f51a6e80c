package dev.parley.http.sso;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * A browser going through the sign-in by hand, one redirect at a time: Parley's login, the provider's authorization
 * endpoint (which, with no interactive login, redirects straight back with a code), then Parley's callback with the
 * flow cookie, so a test can stop or change any step.
 */
final class OidcBrowser {

  /** Where the login left the browser: the flow cookie Parley set and the provider URL it redirected to. */
  record Started(String flowCookie, String authorizeUrl, HttpResponse<Buffer> response) {
  }

  private final WebClient client;
  private final String parley;

  OidcBrowser(Vertx vertx, int port) {
    this.client = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false));
    this.parley = "http://127.0.0.1:" + port;
  }

  Future<Started> login() {
    return client.getAbs(parley + OidcRoutes.LOGIN_PATH).send().map(response -> {
      String cookie = response.cookies().stream().filter(c -> c.startsWith(SignInFlow.COOKIE + "="))
          .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElse(null);
      return new Started(cookie, response.getHeader("Location"), response);
    });
  }

  /** The provider's answer to the authorization request: the callback URL it redirects to. */
  Future<String> authorize(String authorizeUrl) {
    return client.getAbs(authorizeUrl).send().map(response -> {
      if (response.statusCode() != 302) {
        throw new AssertionError("the provider answered " + response.statusCode() + ": " + response.bodyAsString());
      }
      return response.getHeader("Location");
    });
  }

  Future<HttpResponse<Buffer>> callback(String callbackUrl, String flowCookie) {
    var request = client.getAbs(callbackUrl);
    if (flowCookie != null) {
      request.putHeader("Cookie", flowCookie);
    }
    return request.send();
  }

  /** The whole sign-in: login, provider, callback with the cookie Parley set. */
  Future<HttpResponse<Buffer>> signIn() {
    return login().compose(started -> authorize(started.authorizeUrl())
        .compose(callback -> callback(callback, started.flowCookie())));
  }

  Future<HttpResponse<Buffer>> get(String path) {
    return client.getAbs(parley + path).send();
  }

  /** A page as a browser asks for it (Accept: text/html). */
  Future<HttpResponse<Buffer>> page(String path) {
    return client.getAbs(parley + path).putHeader("Accept", "text/html,application/xhtml+xml").send();
  }

  void close() {
    client.close();
  }

  /** The provider's next ID token carries these claims (the subject is {@code subject-} and the email's local part). */
  static void vouch(MockOAuth2Server provider, JsonObject claims) {
    String email = claims.getString("email");
    String subject = "subject-" + email.substring(0, email.indexOf('@')).toLowerCase(java.util.Locale.ROOT);
    provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", subject, "JWT", null, plain(claims), 3600L));
  }

  /** The claims as plain Java maps and lists, which the provider's JSON library writes. */
  static Map<String, Object> plain(JsonObject claims) {
    Map<String, Object> plain = new HashMap<>();
    claims.forEach(entry -> plain.put(entry.getKey(),
        entry.getValue() instanceof JsonArray array ? array.getList() : entry.getValue()));
    return plain;
  }

  /** Verified-email claims with these groups. */
  static JsonObject claims(String email, String... groups) {
    return new JsonObject().put("email", email).put("email_verified", true).put("groups", new JsonArray(List.of(groups)));
  }
}
