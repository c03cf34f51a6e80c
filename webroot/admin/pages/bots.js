/*
 * The list of bots (those in the signed-in person's scope), the provider-status badge and deleting a
 * bot. An agent, who may not read bots, gets the ids of its scope, each opening its conversations.
 */
import { api, botPath } from '../lib/api.js';
import { h, render, toast, when } from '../lib/dom.js';
import { errorBox, showError } from '../lib/forms.js';
import { can, me } from '../lib/session.js';

const PROVIDER_STATUS = {
  provider_quota_exhausted: 'Quota exhausted',
  provider_key_invalid: 'API key invalid',
  provider_tls_error: 'TLS error'
};

export function botList() {
  if (!can('bots.read')) { agentBotList(); return; }
  const err = errorBox();
  const body = h('tbody');
  render(h('section', { class: 'card' },
    h('div', { class: 'actions' }, h('h1', null, 'Bots'),
      can('bots.create') ? h('a', { href: '#/bots/new', class: 'button', id: 'new-bot' }, '+ New bot') : null),
    err,
    h('table', { id: 'bots' }, h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Provider / model'),
      h('th', null, 'Allowed origins'), h('th', null, 'Created'), h('th', null, ''))), body)));
  api('GET', '/api/bots').then((res) => {
    const bots = res.bots || [];
    if (!bots.length) {
      body.appendChild(h('tr', null, h('td', { colspan: 5, class: 'muted' }, can('bots.create')
        ? 'No bots yet. Create one to get a chat page and a widget.' : 'No bots to show.')));
    }
    bots.forEach((b) => body.appendChild(botRow(b, err)));
  }, (e) => showError(err, e));
}

function agentBotList() {
  const ids = me().bot_ids || [];
  render(h('section', { class: 'card' }, h('h1', null, 'Conversations'),
    ids.length ? h('ul', { id: 'agent-bots' }, ids.map((id) => h('li', null,
      h('a', { href: '#/bots/' + encodeURIComponent(id) + '/conversations' }, 'Bot ' + id))))
      : h('p', { class: 'muted' }, 'Your role reads conversations of the bots you are given; ask an admin for a link to one.')));
}

function botRow(b, err) {
  return h('tr', { 'data-bot-id': b.id },
    h('td', null, h('a', { href: '#/bots/' + encodeURIComponent(b.id), class: 'bot-name' }, b.name), providerBadge(b)),
    h('td', null, b.provider + ' / ' + b.model),
    h('td', null, (b.allowed_origins || []).length ? b.allowed_origins.join(', ') : 'any site'),
    h('td', null, when(b.created_at)),
    h('td', null, can('bots.delete') ? h('button', { type: 'button', class: 'danger', on: { click: () => removeBot(b, err) } }, 'Delete') : null));
}

/** A warning badge when the bot's provider has a problem only the operator can fix (null otherwise). */
export function providerBadge(bot) {
  const s = bot.provider_status;
  if (!s) { return null; }
  return [' ', h('span', { class: 'badge badge-failed provider-status', title: (s.message || '') + ' (since ' + when(s.at) + ')' },
    PROVIDER_STATUS[s.code] || String(s.code))];
}

export function removeBot(bot, err) {
  if (!confirm('Delete "' + bot.name + '" with all its conversations and documents?')) { return; }
  api('DELETE', botPath(bot.id)).then(() => {
    toast('Bot deleted');
    if (location.hash === '#/bots') { botList(); } else { location.hash = '#/bots'; }
  }, (e) => showError(err, e));
}
