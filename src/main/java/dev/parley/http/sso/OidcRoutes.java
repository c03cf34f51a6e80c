package dev.parley.http.sso;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import dev.parley.common.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.oauth2.OAuth2AuthorizationURL;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single sign-on with OpenID Connect (authorization code with PKCE S256, discovery), public routes:
 * <ul>
 *   <li>{@code GET /api/auth/sso} → {@code {oidc: {enabled, login_url}}}, for the admin's sign-in button;</li>
 *   <li>{@code GET /auth/oidc/login} → 302 to the provider, with state, nonce and code challenge, and the sealed
 *       {@link SignInFlow} cookie;</li>
 *   <li>{@code GET /auth/oidc/callback?code=&state=} → checks the flow, exchanges the code with the verifier, checks
 *       the ID token (signature by the provider's keys, issuer, audience, expiry, nonce), admits the person
 *       ({@link Admission}), asks {@link SignInSessions} to sign them in and redirects to {@code /admin/}.</li>
 * </ul>
 * Every refusal (400 for a broken flow, 403 for a refused person, 502/503 for a provider failure) starts no session
 * and clears the flow cookie; it is a small page for a browser and the usual JSON error otherwise. With single
 * sign-on off, the login and callback routes answer 404 {@code sso_disabled}.
 */
public final class OidcRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(OidcRoutes.class);
  static final String LOGIN_PATH = "/auth/oidc/login";
  private static final String AFTER_SIGN_IN = "/admin/";

  private final OidcSettings settings;
  private final OidcProvider provider;
  private final SecretBox box;
  private final Admission admission;
  private final UsedStates usedStates;
  private final IdentityDirectory directory;
  private final SignInSessions sessions;

  private OidcRoutes(Vertx vertx, OidcSettings settings, SecretBox box, IdentityDirectory directory,
      SignInSessions sessions) {
    this.settings = settings;
    this.provider = settings == null ? null : new OidcProvider(vertx, settings);
    this.box = box;
    this.admission = settings == null ? null : new Admission(settings);
    this.usedStates = vertx.sharedData().<String, UsedStates>getLocalMap("parley.oidc")
        .computeIfAbsent("used_states", k -> new UsedStates());
    this.directory = directory;
    this.sessions = sessions;
  }

  /**
   * The routes for the {@code sso} config; when OpenID Connect is configured, loads the master key and starts
   * discovery (without waiting for it). Fails on a configuration mistake.
   */
  public static Future<OidcRoutes> create(Vertx vertx, JsonObject config, IdentityDirectory directory,
      SignInSessions sessions) {
    OidcSettings settings;
    try {
      settings = OidcSettings.from(config.getJsonObject("sso"), config.getString("public_url", "http://localhost:8000"));
    } catch (IllegalStateException | IllegalArgumentException | ClassCastException bad) {
      return Future.failedFuture(new IllegalStateException(bad.getMessage()));
    }
    if (settings == null) {
      return Future.succeededFuture(new OidcRoutes(vertx, null, null, directory, sessions));
    }
    if (directory == null || sessions == null) {
      return Future.failedFuture(new IllegalStateException("sso.oidc is configured but this build has no accounts"));
    }
    return SecretBox.load(vertx, config).map(box -> {
      OidcRoutes routes = new OidcRoutes(vertx, settings, box, directory, sessions);
      LOG.info("Single sign-on with OpenID Connect: {}", settings);
      routes.provider.get();
      return routes;
    });
  }

  public void mount(Router router) {
    router.get("/api/auth/sso").handler(this::describe);
    router.get(LOGIN_PATH).handler(this::login);
    router.get(OidcSettings.CALLBACK_PATH).handler(this::callback);
  }

  private void describe(RoutingContext ctx) {
    JsonObject oidc = new JsonObject().put("enabled", settings != null);
    if (settings != null) {
      oidc.put("login_url", LOGIN_PATH);
    }
    RefusalPage.end(ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store"), new JsonObject().put("oidc", oidc).encode());
  }

  private void login(RoutingContext ctx) {
    if (settings == null) {
      ctx.fail(disabled());
      return;
    }
    provider.get().onComplete(found -> {
      if (found.failed()) {
        refuse(ctx, found.cause());
        return;
      }
      SignInFlow flow = SignInFlow.fresh(System.currentTimeMillis());
      String url = found.result().authorizeURL(new OAuth2AuthorizationURL()
          .setRedirectUri(settings.redirectUri())
          .setScopes(settings.scopes())
          .setState(flow.state())
          .setCodeChallenge(flow.codeChallenge())
          .setCodeChallengeMethod("S256")
          .putAdditionalParameter("nonce", flow.nonce()));
      ctx.response().addCookie(flow.cookie(box, settings.secureCookie()))
          .putHeader("Cache-Control", "no-store")
          .putHeader("Location", url)
          .setStatusCode(302)
          .end();
    });
  }

  private void callback(RoutingContext ctx) {
    if (settings == null) {
      ctx.fail(disabled());
      return;
    }
    // read before clearing: the request and the response share one cookie jar
    Cookie brought = ctx.request().getCookie(SignInFlow.COOKIE);
    String sealed = brought == null ? null : brought.getValue();
    ctx.response().addCookie(SignInFlow.cleared(settings.secureCookie()));
    Future<Void> signedIn;
    try {
      signedIn = finish(ctx, sealed);
    } catch (ParleyException refused) {
      signedIn = Future.failedFuture(refused);
    }
    signedIn.onComplete(done -> {
      if (done.failed()) {
        refuse(ctx, done.cause());
      } else if (!ctx.response().ended()) {
        ctx.response().putHeader("Cache-Control", "no-store").putHeader("Location", AFTER_SIGN_IN)
            .setStatusCode(302).end();
      }
    });
  }

  private Future<Void> finish(RoutingContext ctx, String sealed) {
    if (ctx.request().getParam("error") != null) {
      throw Admission.refused("sso_denied", "The identity provider did not sign you in");
    }
    long now = System.currentTimeMillis();
    SignInFlow flow = SignInFlow.resume(sealed, ctx.request().getParam("state"), box, now);
    if (!usedStates.claim(flow.state(), flow.expiresAtMillis(), now)) {
      throw new ParleyException(ErrorCodes.BAD_REQUEST, "sso_state_replayed", "This sign-in was already used: start again");
    }
    String code = ctx.request().getParam("code");
    if (code == null || code.isEmpty()) {
      throw new ParleyException(ErrorCodes.BAD_REQUEST, "sso_code_missing", "The identity provider sent no code");
    }
    return provider.get()
        .compose(auth -> auth.authenticate(new Oauth2Credentials().setFlow(OAuth2FlowType.AUTH_CODE)
            .setCode(code).setRedirectUri(settings.redirectUri()).setCodeVerifier(flow.verifier())))
        .recover(OidcRoutes::exchangeFailure)
        .compose(user -> {
          JsonObject claims = idToken(user, flow);
          String email = admission.email(claims);
          return directory.find(email).map(existing -> admission.admit(claims, email, existing));
        })
        .compose(identity -> sessions.start(ctx, identity));
  }

  /** The ID token's claims, once vert.x checked its signature, issuer and audience and we checked the rest. */
  private JsonObject idToken(User user, SignInFlow flow) {
    JsonObject claims = user.attributes().getJsonObject("idToken");
    if (claims == null) {
      // vert.x leaves the attribute out when the signature, issuer or audience is wrong
      throw Admission.refused("sso_id_token_invalid", "The identity provider's ID token is not valid");
    }
    Object audience = claims.getValue("aud");
    boolean forUs = audience instanceof String one ? one.equals(settings.clientId())
        : audience instanceof JsonArray many && many.contains(settings.clientId());
    if (!forUs || !(claims.getValue("sub") instanceof String) || claims.getValue("iss") == null) {
      throw Admission.refused("sso_id_token_invalid", "The identity provider's ID token is not valid");
    }
    Object expires = claims.getValue("exp");
    long nowSeconds = System.currentTimeMillis() / 1000;
    if (!(expires instanceof Number exp) || exp.longValue() + OidcProvider.LEEWAY_SECONDS < nowSeconds) {
      throw expired();
    }
    if (!flow.nonce().equals(claims.getValue("nonce"))) {
      throw Admission.refused("sso_nonce_mismatch", "The ID token was not issued for this sign-in");
    }
    return claims;
  }

  private static Future<User> exchangeFailure(Throwable failure) {
    if (failure instanceof ParleyException known) {
      return Future.failedFuture(known);
    }
    String message = String.valueOf(failure.getMessage());
    if (message.contains("expired")) {
      return Future.failedFuture(expired());
    }
    LOG.warn("Single sign-on: the code exchange failed ({})", message);
    if (failure instanceof IOException || failure.getCause() instanceof IOException) {
      return Future.failedFuture(new ParleyException(ErrorCodes.BAD_GATEWAY, "sso_provider_unreachable",
          "The identity provider cannot be reached: try again"));
    }
    return Future.failedFuture(new ParleyException(ErrorCodes.BAD_REQUEST, "sso_code_rejected",
        "The identity provider did not accept this sign-in: start again"));
  }

  private static ParleyException expired() {
    return Admission.refused("sso_token_expired", "The identity provider's token has expired: sign in again");
  }

  private static ParleyException disabled() {
    return new ParleyException(ErrorCodes.NOT_FOUND, "sso_disabled", "Single sign-on is not configured");
  }

  private static void refuse(RoutingContext ctx, Throwable failure) {
    if (!(failure instanceof ParleyException)) {
      LOG.warn("Single sign-on failed", failure);
    }
    if (ctx.response().ended()) {
      return;
    }
    if (failure instanceof ParleyException refusal && RefusalPage.wanted(ctx)) {
      RefusalPage.send(ctx, refusal);
    } else {
      ctx.fail(failure);
    }
  }
}
