/* One bot: its title, the tabs and the tab's content (#/bots/{id}/{tab}/{sub}). */
import { api, botPath } from '../lib/api.js';
import { h, render } from '../lib/dom.js';
import { errorBox, showError } from '../lib/forms.js';
import { botForm } from './bot-form.js';
import { providerBadge } from './bots.js';
import { conversation, conversations } from './conversations.js';
import { deploy } from './deploy.js';
import { knowledge } from './knowledge/knowledge.js';
import { usage } from './usage.js';

const TABS = [['', 'Settings'], ['knowledge', 'Knowledge'], ['deploy', 'Deploy'], ['conversations', 'Conversations'], ['usage', 'Usage']];

export function botPage(id, tab, sub) {
  const err = errorBox();
  render(h('p', { class: 'muted' }, 'Loading…'));
  api('GET', botPath(id)).then((bot) => {
    const base = '#/bots/' + encodeURIComponent(bot.id);
    const tabs = h('nav', { class: 'tabs', 'aria-label': 'Bot sections' }, TABS.map((t) =>
      h('a', { href: base + (t[0] ? '/' + t[0] : ''), 'aria-current': t[0] === tab ? 'page' : null }, t[1])));
    const content = h('section', { class: 'card' });
    render(h('h1', { id: 'bot-title' }, bot.name, providerBadge(bot)), tabs, err, warnings(bot), content);
    if (tab === 'deploy') { deploy(bot, content); }
    else if (tab === 'conversations' && sub) { conversation(bot, sub, content, err); }
    else if (tab === 'conversations') { conversations(bot, content, err); }
    else if (tab === 'usage') { usage(bot, content, err); }
    else if (tab === 'knowledge') { knowledge(bot, content); }
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
