/*
 * A bot's Knowledge gaps tab: the visitor questions its knowledge did not serve (nothing found, weak passages,
 * a thumbs-down, handed to a person), grouped by meaning, the biggest group first. Each group offers
 * "Add an answer" (the answers form, #/bots/{id}/answers?question=…) and "Add a document" (the Knowledge tab).
 */
import { api, botPath } from '../lib/api.js';
import { append, h, when } from '../lib/dom.js';
import { showError } from '../lib/forms.js';
import { can } from '../lib/session.js';

const REASONS = { nothing_found: 'nothing found', weak: 'weak passages', thumbs_down: 'thumbs-down', handoff: 'handed to a person' };

export function gaps(bot, box, err) {
  const select = h('select', { id: 'gap-days', 'aria-label': 'Period' },
    [7, 30, 90].map((n) => h('option', { value: String(n) }, 'Last ' + n + ' days')));
  select.value = '30';
  const note = h('p', { class: 'muted', id: 'gap-note' });
  const list = h('ol', { class: 'gaps', id: 'gaps' });
  append(box, [h('div', { class: 'actions' }, h('h2', null, 'Knowledge gaps'), select), note, list]);
  const load = () => {
    note.textContent = 'Loading…';
    api('GET', botPath(bot.id) + '/gaps?days=' + select.value).then((found) => {
      const groups = found.groups || [];
      note.textContent = groups.length ? found.scanned + ' questions' + (found.scanned >= found.limit ? ' (the newest ' + found.limit + ')' : '') +
        ' in ' + groups.length + ' groups.' : 'No gaps in this period: every question found good passages and nobody complained.';
      list.replaceChildren(...groups.map((g) => group(bot, g)));
    }, (e) => { note.textContent = ''; showError(err, e); });
  };
  select.addEventListener('change', load);
  load();
}

function group(bot, g) {
  const base = '#/bots/' + encodeURIComponent(bot.id);
  const reasons = Object.keys(REASONS).filter((r) => g.reasons && g.reasons[r] > 0)
    .map((r) => REASONS[r] + (g.count > 1 ? ' ' + g.reasons[r] : '')).join(', ');
  const actions = can('knowledge.edit') ? h('div', { class: 'actions' },
    h('a', { class: 'button add-answer', href: base + '/answers?question=' + encodeURIComponent(g.question) }, 'Add an answer'),
    h('a', { class: 'button add-document', href: base + '/knowledge' }, 'Add a document')) : null;
  return h('li', { class: 'gap card' },
    h('h3', null, g.question, ' ', h('span', { class: 'badge count' }, '×' + g.count)),
    h('p', { class: 'meta' }, reasons + ' · last asked ' + when(g.last_at)),
    h('ul', { class: 'examples' }, (g.examples || []).map((q) => h('li', null,
      h('a', { href: base + '/conversations/' + encodeURIComponent(q.conversation_id) }, q.text),
      q.top_score != null ? h('span', { class: 'muted' }, ' (best passage ' + q.top_score.toFixed(2) + ')') : null))),
    actions);
}
