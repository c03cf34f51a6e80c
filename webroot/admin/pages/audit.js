/*
 * The audit log (owners and admins): newest first, filtered by actor, action, target and a time range,
 * paged towards older entries by the server's cursor. Every value is shown as text.
 */
import { api, latestOnly } from '../lib/api.js';
import { h, render, when } from '../lib/dom.js';
import { errorBox, labelled, showError } from '../lib/forms.js';

const PAGE = 50;

export function auditPage() {
  const err = errorBox();
  const body = h('tbody');
  const older = h('button', { type: 'button', class: 'secondary', id: 'audit-older', hidden: true }, 'Older entries');
  const f = {
    actor: h('input', { type: 'text', autocomplete: 'off', placeholder: 'email, user or token id' }),
    action: h('input', { type: 'text', autocomplete: 'off', placeholder: 'e.g. user.create or bot.*' }),
    target: h('input', { type: 'text', autocomplete: 'off', placeholder: 'an id, or type:id' }),
    since: h('input', { type: 'datetime-local' }),
    until: h('input', { type: 'datetime-local' })
  };
  let cursor = null;
  const read = latestOnly((q) => api('GET', '/api/audit?' + q));
  const load = (more) => read(query(f, more ? cursor : null)).then((res) => {
    if (!more) { body.replaceChildren(); }
    (res.entries || []).forEach((e) => body.appendChild(entryRow(e)));
    if (!body.children.length) { body.appendChild(h('tr', null, h('td', { colspan: 6, class: 'muted' }, 'Nothing recorded that matches.'))); }
    cursor = res.next_cursor || null;
    older.hidden = !cursor;
  }, (e) => showError(err, e));
  older.addEventListener('click', () => load(true));
  const filters = h('form', { id: 'audit-filters', class: 'grid', on: { submit: (e) => { e.preventDefault(); err.hidden = true; load(false); } } },
    labelled('audit-actor', 'actor', 'Actor', f.actor), labelled('audit-action', 'action', 'Action', f.action),
    labelled('audit-target', 'target', 'Target', f.target), labelled('audit-since', 'since', 'Since', f.since),
    labelled('audit-until', 'until', 'Until', f.until),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Filter')));
  render(h('section', { class: 'card' }, h('h1', null, 'Audit log'), filters, err,
    h('table', { id: 'audit' }, h('thead', null, h('tr', null, h('th', null, 'Time'), h('th', null, 'Actor'), h('th', null, 'Action'),
      h('th', null, 'Target'), h('th', null, 'From'), h('th', null, 'Changes'))), body),
    h('div', { class: 'actions' }, older)));
  load(false);
}

/** The query string of the filters (times as ISO-8601 instants) and the cursor of the next page. */
function query(f, cursor) {
  const q = new URLSearchParams();
  ['actor', 'action', 'target'].forEach((k) => { if (f[k].value.trim()) { q.set(k, f[k].value.trim()); } });
  ['since', 'until'].forEach((k) => { if (f[k].value) { q.set(k, new Date(f[k].value).toISOString()); } });
  q.set('limit', String(PAGE));
  if (cursor) { q.set('cursor', cursor); }
  return q.toString();
}

/** One entry: {at, actor: {kind, email, role, …}, action, target_type, target_id, client_address, outcome, status, changes}. */
function entryRow(e) {
  const actor = e.actor || {};
  const who = actor.kind === 'bootstrap' ? 'admin token' : actor.email || actor.user_id || actor.kind || '';
  const target = [e.target_type, e.target_id].filter((x) => x).join(' ');
  return h('tr', { 'data-id': e.id, 'data-action': e.action, 'data-outcome': e.outcome },
    h('td', null, when(e.at)),
    h('td', { class: 'actor' }, who, actor.role ? h('span', { class: 'muted' }, ' (' + actor.role + ')') : null),
    h('td', { class: 'action' }, e.action, e.outcome && e.outcome !== 'success' ? h('span', { class: 'muted' }, ' · ' + e.outcome) : null),
    h('td', { class: 'target' }, target),
    h('td', null, e.client_address || ''),
    h('td', { class: 'changes' }, e.changes ? JSON.stringify(e.changes) : ''));
}
