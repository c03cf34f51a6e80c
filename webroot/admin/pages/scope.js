/*
 * The bot scope of a user: every bot, or only the chosen ones (bot_ids). It narrows editors, agents
 * and viewers; owners and admins always have every bot, so the chooser hides itself for them.
 */
import { h } from '../lib/dom.js';

export const SCOPED_ROLES = ['editor', 'agent', 'viewer'];

/** {el, value(), forRole(role)}: value() is null for every bot, else the chosen ids. A form reset brings back botIds. */
export function scopeChooser(prefix, bots, botIds) {
  const all = h('input', { type: 'radio', name: prefix + '-scope', value: 'all', id: prefix + '-scope-all', checked: botIds ? null : 'checked' });
  const some = h('input', { type: 'radio', name: prefix + '-scope', value: 'some', id: prefix + '-scope-some', checked: botIds ? 'checked' : null });
  const boxes = bots.map((b) => h('input', { type: 'checkbox', value: b.id, 'data-bot-name': b.name,
    checked: botIds && botIds.indexOf(b.id) >= 0 ? 'checked' : null, on: { change: () => { some.checked = true; } } }));
  const el = h('fieldset', { class: 'scope', id: prefix + '-scope' },
    h('legend', null, 'Bots'),
    h('label', { class: 'check' }, all, 'Every bot, also those made later'),
    h('label', { class: 'check' }, some, 'Only these bots:'),
    h('div', { class: 'scope-bots' }, bots.length ? bots.map((b, i) => h('label', { class: 'check' }, boxes[i], b.name))
      : h('span', { class: 'muted' }, 'No bots yet.')));
  return {
    el: el,
    value: () => (all.checked ? null : boxes.filter((b) => b.checked).map((b) => b.value)),
    forRole: (role) => { el.hidden = SCOPED_ROLES.indexOf(role) < 0; }
  };
}

/** The scope as one line of text, with bot names where known. */
export function scopeText(botIds, bots) {
  if (!botIds) { return 'every bot'; }
  if (!botIds.length) { return 'no bots'; }
  const names = {};
  bots.forEach((b) => { names[b.id] = b.name; });
  return botIds.map((id) => names[id] || id).join(', ');
}
