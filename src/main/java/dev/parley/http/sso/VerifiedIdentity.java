package dev.parley.http.sso;

import dev.parley.common.Role;

/**
 * A person the identity provider vouched for and Parley admits: the provider's {@code subject}, a verified
 * {@code email} (lower case), a display {@code name} (made from the email's local part when the provider gave none, never the address) and the {@code role}
 * to act with. {@code userId} is the existing account of that email, or null when the account is to be created
 * ({@link #provisioned()}) with that role.
 */
public record VerifiedIdentity(String subject, String email, String name, Role role, String userId) {

  /** Whether no account has this email yet and one is to be made. */
  public boolean provisioned() {
    return userId == null;
  }
}
