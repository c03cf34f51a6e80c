/*
 * The Users page (owners and admins): everyone with an account, their role and bot scope; changing
 * them, removing someone, and inviting someone (user-invite.js). An admin cannot manage owners, so
 * their rows offer nothing to an admin. Someone invited who has not set a password yet (the link was
 * lost, or expired) can be given a new link; the earlier one stops working.
 */
import { api, latestOnly } from '../lib/api.js';
import { append, h, render, toast } from '../lib/dom.js';
import { errorBox, showError } from '../lib/forms.js';
import { reroute } from '../lib/router.js';
import { me, role } from '../lib/session.js';
import { roleSelect } from './roles.js';
import { scopeChooser, scopeText } from './scope.js';
import { inviteForm, showLink } from './user-invite.js';

export function usersPage() {
  const err = errorBox();
  const body = h('tbody');
  const list = h('section', { class: 'card' }, h('h1', null, 'Users'), err,
    h('table', { id: 'users' }, h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Email'),
      h('th', null, 'Role'), h('th', null, 'Bots'), h('th', null, ''))), body));
  render(list);
  api('GET', '/api/bots').then((res) => {
    const bots = res.bots || [];
    const read = latestOnly(() => api('GET', '/api/users'));
    const load = () => read().then((r) => {
      body.replaceChildren(...(r.users || []).map((u) => userRow(u, bots, err)));
    }, (e) => showError(err, e));
    append(document.getElementById('view'), inviteForm(bots, load));
    return load();
  }, (e) => showError(err, e));
}

function userRow(u, bots, err) {
  const manageable = role() === 'owner' || u.role !== 'owner';
  const self = me().user_id === u.id;
  const row = h('tr', { 'data-user-id': u.id, 'data-email': u.email },
    h('td', null, u.name, self ? h('span', { class: 'muted' }, ' (you)') : null,
      u.password_set === false ? [' ', inviteBadge(u)] : null,
      u.disabled ? [' ', h('span', { class: 'badge badge-failed' }, 'Disabled')] : null),
    h('td', null, u.email), h('td', { class: 'role' }, u.role), h('td', { class: 'scope-text' }, scopeText(u.bot_ids, bots)),
    h('td', { class: 'user-actions' }, manageable ? [
      pending(u) ? [h('button', { type: 'button', class: 'secondary reinvite', on: { click: (e) => reinvite(u, e.target, err) } },
        'New invite link'), ' '] : null,
      h('button', { type: 'button', class: 'secondary edit', on: { click: () => editRow(row, u, bots, err) } }, 'Change'), ' ',
      h('button', { type: 'button', class: 'danger remove', on: { click: () => removeUser(u, err) } }, 'Remove')] : null));
  return row;
}

/** An editor row under the user's row: role and bot scope, saved with PUT /api/users/{id}. */
function editRow(row, u, bots, err) {
  if (row.nextSibling && row.nextSibling.classList.contains('user-edit')) { return; }
  const scope = scopeChooser('edit-' + u.id, bots, u.bot_ids || null);
  const select = roleSelect(u.role, scope.forRole);
  scope.forRole(u.role);
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const save = h('button', { type: 'button', class: 'primary save' }, 'Save');
  const editor = h('tr', { class: 'user-edit' }, h('td', { colspan: 5 },
    h('div', { class: 'grid' }, h('label', null, 'Role', select), scope.el), h('div', { class: 'actions' }, save, cancel)));
  cancel.addEventListener('click', () => editor.remove());
  save.addEventListener('click', () => {
    save.disabled = true;
    const scoped = !scope.el.hidden;
    api('PUT', '/api/users/' + encodeURIComponent(u.id), { role: select.value, bot_ids: scoped ? scope.value() : null })
      .then(() => { toast('Changes saved'); reroute(); }, (e) => { save.disabled = false; showError(err, e); });
  });
  row.after(editor);
  select.focus();
}

function removeUser(u, err) {
  if (!confirm('Remove ' + u.email + '? Their sessions and API tokens end at once.')) { return; }
  api('DELETE', '/api/users/' + encodeURIComponent(u.id)).then(() => { toast('User removed'); reroute(); },
    (e) => showError(err, e));
}

/** Invited and not yet in: no password, and an invite (single sign-on accounts have neither). */
function pending(u) {
  return u.password_set === false && u.invite_expires_at != null;
}

function inviteBadge(u) {
  const expired = pending(u) && u.invite_expires_at < Date.now();
  return h('span', { class: 'invite-badge badge ' + (expired ? 'badge-failed' : 'badge-pending') },
    expired ? 'Invite expired' : 'Invited');
}

/** A new invite link in place of the earlier one, shown once in the invite form's link box. */
function reinvite(u, button, err) {
  button.disabled = true;
  api('POST', '/api/users/' + encodeURIComponent(u.id) + '/invite').then((user) => {
    button.disabled = false;
    const badge = button.closest('tr').querySelector('.invite-badge');
    if (badge) { badge.replaceWith(inviteBadge(user)); }
    const link = document.getElementById('invite-link');
    showLink(link, user);
    link.scrollIntoView({ block: 'nearest' });
    toast('New invite link made; the earlier one no longer works');
  }, (e) => { button.disabled = false; showError(err, e); });
}
