package dev.parley.http.sso;

import dev.parley.common.Role;

/** An account that already has the email a provider vouched for: its id and its stored role. */
public record ExistingUser(String id, Role role) {
}
