package dev.parley.http;

import dev.parley.common.AccountClient;
import dev.parley.common.Fields;
import dev.parley.common.Role;
import dev.parley.http.sso.ExistingUser;
import dev.parley.http.sso.IdentityDirectory;
import dev.parley.http.sso.SignInSessions;
import dev.parley.http.sso.VerifiedIdentity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Single sign-on's two seams on the real accounts: people are looked up by email in the account component, an
 * admitted person's account is made or brought to the mapped role there, and the session starts as a password
 * sign-in's does ({@link AuthRoutes#signIn}: a fresh cookie, the presented one ended), recorded as
 * {@code auth.sso_login} in the audit log.
 */
final class SsoAccounts implements IdentityDirectory, SignInSessions {

  private final AccountClient accounts;
  private AuthRoutes auth;
  private AuditTrail audit;

  SsoAccounts(AccountClient accounts) {
    this.accounts = accounts;
  }

  /** The sign-in routes and audit trail, made after the single sign-on routes are (the router is built in order). */
  void use(AuthRoutes authRoutes, AuditTrail auditTrail) {
    this.auth = authRoutes;
    this.audit = auditTrail;
  }

  @Override
  public Future<Optional<ExistingUser>> find(String email) {
    return accounts.findForSso(null, email).map(found -> found.getString(Fields.USER_ID) == null ? Optional.empty()
        : Optional.of(new ExistingUser(found.getString(Fields.USER_ID), Role.parse(found.getString(Fields.ROLE)))));
  }

  @Override
  public Future<Void> start(RoutingContext ctx, VerifiedIdentity identity) {
    return accounts.admitSso(RequestIds.get(ctx), identity.email(), identity.name(), identity.role(), identity.userId())
        .compose(user -> auth.signIn(ctx, user.getString("id")))
        .compose(signedIn -> audit.record(ctx, "auth.sso_login", "user", signedIn.getJsonObject("user").getString("id"),
            new JsonObject().put("provisioned", identity.provisioned()).put(Fields.ROLE, identity.role().wire())));
  }
}
