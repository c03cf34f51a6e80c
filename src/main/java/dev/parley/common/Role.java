package dev.parley.common;

import java.util.Locale;

/**
 * What a person may do in the admin, from most to least: {@code owner} (everything), {@code admin} (everything
 * except managing owners), {@code editor} (bots, keys, knowledge and settings of its bots), {@code agent}
 * (conversations of its bots), {@code viewer} (reads bots, conversations and usage of its bots). On the wire and
 * in storage a role is its lower-case name.
 */
public enum Role {
  OWNER, ADMIN, EDITOR, AGENT, VIEWER;

  /** The role's name as the API and the database spell it. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named {@code value}, or null when it names none. */
  public static Role parse(String value) {
    if (value == null) {
      return null;
    }
    for (Role role : values()) {
      if (role.wire().equals(value)) {
        return role;
      }
    }
    return null;
  }

  /** Whether this role is {@code other} or above it. */
  public boolean atLeast(Role other) {
    return ordinal() <= other.ordinal();
  }
}
