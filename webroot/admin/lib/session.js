/*
 * Who is signed in, as GET /api/me tells: {kind (user, token or bootstrap), user_id, email, name, role,
 * bot_ids (null: every bot), csrf_token (a cookie session's)}; and what that role may do, so that pages
 * hide what the server would refuse anyway. The server enforces every rule regardless; ROLES follows its
 * table of permissions (http/Permission.java).
 */
const RANK = { owner: 0, admin: 1, editor: 2, agent: 3, viewer: 4 };

/** The roles that may do each thing a page offers. */
const ROLES = {
  'users': ['owner', 'admin'], 'audit': ['owner', 'admin'],
  'bots.read': ['owner', 'admin', 'editor', 'viewer'], 'bots.create': ['owner', 'admin', 'editor'],
  'bots.edit': ['owner', 'admin', 'editor'], 'bots.delete': ['owner', 'admin', 'editor'],
  'knowledge.read': ['owner', 'admin', 'editor', 'viewer'], 'knowledge.edit': ['owner', 'admin', 'editor'],
  'conversations.read': ['owner', 'admin', 'editor', 'agent', 'viewer'], 'usage.read': ['owner', 'admin', 'editor', 'viewer'],
  'inbox': ['owner', 'admin', 'editor', 'agent']
};

let current = null;

export function me() { return current; }

export function setMe(value) { current = value; }

export function forgetMe() { current = null; }

export function role() { return current ? current.role : null; }

/** Whether the signed-in role may do what (a key of ROLES). An editor scoped to some bots makes none. */
export function can(what) {
  const r = role();
  if (!r || !ROLES[what] || ROLES[what].indexOf(r) < 0) { return false; }
  return !(what === 'bots.create' && current.bot_ids);
}

/** The roles the signed-in person may give: an admin cannot make (or manage) owners. */
export function grantableRoles() {
  return Object.keys(RANK).filter((r) => role() === 'owner' || RANK[r] >= RANK.admin);
}

/** The CSRF token of a cookie session (null when the bootstrap token is used). */
export function csrfToken() { return current ? current.csrf_token || null : null; }
