package dev.parley.http.sso;

import dev.parley.common.ErrorCodes;
import dev.parley.common.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.providers.OpenIDConnectAuth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider, found by OpenID Connect discovery ({@code {issuer}/.well-known/openid-configuration},
 * then its JWKS). Discovery starts with the HTTP verticle but does not hold its start: a provider that is down
 * must not keep the chat service from starting. Until it succeeds, sign-in answers 503 {@code sso_unavailable}
 * and discovery is tried again, at most every {@link #RETRY_MS}. When a token names a signing key not yet known
 * (the provider rotated its keys) the key set is fetched again, at most as often.
 */
final class OidcProvider {

  private static final Logger LOG = LoggerFactory.getLogger(OidcProvider.class);
  static final long RETRY_MS = 30_000;
  /** Clock skew allowed between Parley and the provider when checking a token's times. */
  static final int LEEWAY_SECONDS = 30;

  private final Vertx vertx;
  private final OidcSettings settings;
  private Future<OAuth2Auth> discovery;
  private long failedAtMillis;
  private long keysFetchedAtMillis;

  OidcProvider(Vertx vertx, OidcSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /** The discovered provider, or a 503 while it cannot be reached. */
  synchronized Future<OAuth2Auth> get() {
    long now = System.currentTimeMillis();
    if (discovery == null || discovery.failed() && now - failedAtMillis >= RETRY_MS) {
      discovery = discover();
    }
    return discovery.recover(failure -> Future.failedFuture(new ParleyException(ErrorCodes.UNAVAILABLE,
        "sso_unavailable", "Single sign-on is unavailable: the identity provider cannot be reached")));
  }

  private Future<OAuth2Auth> discover() {
    OAuth2Options options = new OAuth2Options()
        .setSite(settings.issuer())
        .setClientId(settings.clientId())
        .setClientSecret(settings.clientSecret())
        .setUserAgent("parley")
        .setJWTOptions(new JWTOptions().setLeeway(LEEWAY_SECONDS))
        .setHttpClientOptions(new HttpClientOptions().setConnectTimeout(5_000).setIdleTimeout(15));
    return OpenIDConnectAuth.discover(vertx, options)
        .onSuccess(auth -> {
          LOG.info("Single sign-on: discovered {}", settings.issuer());
          auth.missingKeyHandler(kid -> refreshKeys(auth));
        })
        .onFailure(failure -> {
          synchronized (this) {
            failedAtMillis = System.currentTimeMillis();
          }
          LOG.warn("Single sign-on: discovery of {} failed ({}); sign-in answers 503 until it succeeds",
              settings.issuer(), failure.getMessage());
        });
  }

  private synchronized void refreshKeys(OAuth2Auth auth) {
    long now = System.currentTimeMillis();
    if (now - keysFetchedAtMillis < RETRY_MS) {
      return;
    }
    keysFetchedAtMillis = now;
    auth.jWKSet().onFailure(failure -> LOG.warn("Single sign-on: fetching the provider's keys failed ({})",
        failure.getMessage()));
  }
}
