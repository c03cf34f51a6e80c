package dev.parley.http.sso;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * Seam to the accounts: whether an account has this email. The single sign-on flow asks it after the ID token is
 * checked and before it admits anyone; wired at start-up to the account store.
 */
@FunctionalInterface
public interface IdentityDirectory {

  /** The account of {@code email} (lower case), or empty when there is none. */
  Future<Optional<ExistingUser>> find(String email);
}
