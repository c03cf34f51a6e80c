/* One bot: its title, the tabs of the signed-in role and the tab's content (#/bots/{id}/{tab}/{sub}). */
import { api, botPath } from '../lib/api.js';
import { h, render } from '../lib/dom.js';
import { errorBox, showError } from '../lib/forms.js';
import { can } from '../lib/session.js';
import { botForm } from './bot-form.js';
import { providerBadge } from './bots.js';
import { conversation, conversations } from './conversations.js';
import { deploy } from './deploy.js';
import { evaluations } from './evaluations.js';
import { gaps } from './gaps.js';
import { knowledge } from './knowledge/knowledge.js';
import { usage } from './usage.js';
import { answers } from './answers.js';

/** [tab, label, what the role must be able to do]. */
const TABS = [['', 'Settings', 'bots.read'], ['knowledge', 'Knowledge', 'knowledge.read'], ['deploy', 'Deploy', 'bots.read'],
  ['conversations', 'Conversations', 'conversations.read'], ['usage', 'Usage', 'usage.read'],
  ['answers', 'Answers', 'knowledge.read'],
  ['gaps', 'Knowledge gaps', 'conversations.read'], ['evaluations', 'Evaluations', 'knowledge.read']];

export function botPage(id, tab, sub) {
  const tabs = TABS.filter((t) => can(t[2]));
  if (!tabs.some((t) => t[0] === tab)) {
    location.hash = '#/bots/' + encodeURIComponent(id) + (tabs.length && tabs[0][0] ? '/' + tabs[0][0] : '');
    return;
  }
  const err = errorBox();
  render(h('p', { class: 'muted' }, 'Loading…'));
  // An agent may read conversations only, not the bot itself: its page is named by the id.
  const load = can('bots.read') ? api('GET', botPath(id)) : Promise.resolve({ id: id, name: 'Bot ' + id });
  load.then((bot) => {
    const base = '#/bots/' + encodeURIComponent(bot.id);
    const nav = h('nav', { class: 'tabs', 'aria-label': 'Bot sections' }, tabs.map((t) =>
      h('a', { href: base + (t[0] ? '/' + t[0] : ''), 'aria-current': t[0] === tab ? 'page' : null }, t[1])));
    const content = h('section', { class: 'card' });
    render(h('h1', { id: 'bot-title' }, bot.name, providerBadge(bot)), nav, err, warnings(bot), content);
    if (tab === 'deploy') { deploy(bot, content); }
    else if (tab === 'conversations' && sub) { conversation(bot, sub, content, err); }
    else if (tab === 'conversations') { conversations(bot, content, err); }
    else if (tab === 'usage') { usage(bot, content, err); }
    else if (tab === 'knowledge') { knowledge(bot, content); }
    else if (tab === 'answers') { answers(bot, content, err); }
    else if (tab === 'gaps') { gaps(bot, content, err); }
    else if (tab === 'evaluations') { evaluations(bot, sub, content, err); }
    else { content.appendChild(botForm(bot)); }
  }, (e) => { render(err); showError(err, e); });
}

/** Settings of the bot that cannot work as meant (unknown provider, key, unpriced budget), or null. */
function warnings(bot) {
  const list = bot.warnings || [];
  if (!list.length) { return null; }
  return h('ul', { class: 'warnings', id: 'bot-warnings', role: 'status' }, list.map((w) =>
    h('li', null, h('code', null, w.field), ': ', w.message)));
}
