package dev.parley.http.sso;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * Seam to the sessions: signs the admitted person in on this response. It creates the account when
 * {@link VerifiedIdentity#provisioned()}, otherwise brings the stored role to {@link VerifiedIdentity#role()},
 * then sets a fresh session cookie (never reusing one the browser brought). The flow redirects to the admin once
 * the future succeeds; a failure is rendered as the error it carries.
 */
@FunctionalInterface
public interface SignInSessions {

  Future<Void> start(RoutingContext ctx, VerifiedIdentity identity);
}
