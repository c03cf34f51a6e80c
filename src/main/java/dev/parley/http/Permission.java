package dev.parley.http;

import dev.parley.common.Role;
import java.util.EnumSet;
import java.util.Set;

/**
 * What an admin route needs, and which roles have it. Editors, agents and viewers have it only for the bots in
 * their scope ({@link AccessHandler}).
 */
enum Permission {
  /** See bots (a list shows only those in scope). */
  BOTS_READ(Role.OWNER, Role.ADMIN, Role.EDITOR, Role.VIEWER),
  /** Create a bot: owners, admins and editors scoped to no bot list (a scoped editor could not see what it made). */
  BOTS_CREATE(Role.OWNER, Role.ADMIN, Role.EDITOR),
  /** Change a bot's settings and key, or delete it. */
  BOTS_WRITE(Role.OWNER, Role.ADMIN, Role.EDITOR),
  /** See a bot's documents and preview its retrieval. */
  KNOWLEDGE_READ(Role.OWNER, Role.ADMIN, Role.EDITOR, Role.VIEWER),
  /** Add, remove, retry, sync documents; rebuild the index. */
  KNOWLEDGE_WRITE(Role.OWNER, Role.ADMIN, Role.EDITOR),
  /** Read a bot's conversations. */
  CONVERSATIONS_READ(Role.OWNER, Role.ADMIN, Role.EDITOR, Role.AGENT, Role.VIEWER),
  /** Take part in a bot's conversations: the inbox, take over, write to the visitor, notes, release, close. */
  CONVERSATIONS_HANDLE(Role.OWNER, Role.ADMIN, Role.EDITOR, Role.AGENT),
  /** Export all of a bot's conversations at once (a bulk copy: editors and up, not viewers or agents). */
  CONVERSATIONS_EXPORT(Role.OWNER, Role.ADMIN, Role.EDITOR),
  /** Erase a visitor's conversation on request. */
  CONVERSATIONS_ERASE(Role.OWNER, Role.ADMIN, Role.EDITOR),
  /** Read a bot's usage (stats). */
  USAGE_READ(Role.OWNER, Role.ADMIN, Role.EDITOR, Role.VIEWER),
  /** See users. */
  USERS_READ(Role.OWNER, Role.ADMIN),
  /** Invite, change and remove users (only owners touch owners: the account component checks that). */
  USERS_MANAGE(Role.OWNER, Role.ADMIN),
  /** Read the audit log. */
  AUDIT_READ(Role.OWNER, Role.ADMIN),
  /** Scrape {@code /metrics}. */
  METRICS_READ(Role.OWNER, Role.ADMIN),
  /** One's own account: {@code /api/me} and one's own API tokens. */
  SELF(Role.values());

  private final Set<Role> roles;

  Permission(Role... roles) {
    this.roles = EnumSet.of(roles[0], roles);
  }

  boolean grantedTo(Role role) {
    return role != null && roles.contains(role);
  }
}
