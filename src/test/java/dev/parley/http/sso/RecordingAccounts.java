package dev.parley.http.sso;

import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Both single sign-on seams for tests, standing in for the accounts: a directory of the accounts put in
 * {@link #users}, and a sign-in that records the identity and sets a {@code parley_session} cookie naming it.
 */
final class RecordingAccounts implements IdentityDirectory, SignInSessions {

  static final String SESSION_COOKIE = "parley_session";

  final Map<String, ExistingUser> users = new ConcurrentHashMap<>();
  final List<VerifiedIdentity> signedIn = new CopyOnWriteArrayList<>();

  @Override
  public Future<Optional<ExistingUser>> find(String email) {
    return Future.succeededFuture(Optional.ofNullable(users.get(email)));
  }

  @Override
  public Future<Void> start(RoutingContext ctx, VerifiedIdentity identity) {
    signedIn.add(identity);
    ctx.response().addCookie(Cookie.cookie(SESSION_COOKIE, "test-session-" + signedIn.size()).setPath("/")
        .setHttpOnly(true));
    return Future.succeededFuture();
  }

  void reset() {
    users.clear();
    signedIn.clear();
  }
}
