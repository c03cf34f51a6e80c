/* A bot's Deploy tab: the chat page URL, the widget's embed code and a live preview. */
import { append, copyText, h } from '../lib/dom.js';

export function deploy(bot, box) {
  const d = bot.deploy || {};
  const url = h('input', { id: 'chat-url', readonly: true, 'aria-label': 'Chat page URL' });
  url.value = d.chat_url || '';
  const code = h('textarea', { id: 'embed-code', readonly: true, rows: 2, 'aria-label': 'Widget embed code' });
  code.value = d.embed_code || '';
  const copyUrl = h('button', { type: 'button', class: 'secondary', id: 'copy-url' }, 'Copy');
  copyUrl.addEventListener('click', () => copyText(url.value, copyUrl));
  const copyCode = h('button', { type: 'button', class: 'secondary', id: 'copy-embed' }, 'Copy');
  copyCode.addEventListener('click', () => copyText(code.value, copyCode));
  append(box, [
    h('h2', null, 'Chat page'),
    h('div', { class: 'code' }, url, copyUrl, h('a', { href: d.chat_url, target: '_blank', rel: 'noopener noreferrer', class: 'secondary' }, 'Open')),
    h('h2', null, 'Website widget'),
    h('p', { class: 'muted' }, 'Paste this tag before </body> on any page. ' +
      ((bot.allowed_origins || []).length ? 'It works on: ' + bot.allowed_origins.join(', ') + '.' : 'It works on any site (no allowed origins set).')),
    h('div', { class: 'code' }, code, copyCode),
    h('h2', null, 'Live preview'),
    preview(bot)
  ]);
}

/** The chat page as the widget shows it, with the launcher button in the bot's colour and corner. */
function preview(bot) {
  const w = bot.widget || {};
  const side = w.position === 'bottom-left' ? 'left' : 'right';
  const launcher = h('div', { class: 'launcher ' + side, 'aria-hidden': 'true' });
  launcher.style.background = /^#[0-9a-fA-F]{6}$/.test(w.color || '') ? w.color : '#4f46e5';
  const frame = h('iframe', { class: side, title: 'Widget preview', src: '/chat/' + encodeURIComponent(bot.id) + '?embed=1' });
  return h('div', { class: 'preview', id: 'preview' }, frame, launcher);
}
