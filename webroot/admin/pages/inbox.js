/*
 * The Inbox (#/inbox, #/inbox/{bot_id}/{conversation_id}): the conversations waiting for a person, in a
 * person's hands and recently active, live from GET /api/inbox/events, with unread badges; the chosen
 * one beside it (inbox-conversation.js). While the page is open the agent counts as online for the bots
 * they cover. A conversation that starts waiting announces itself: the count in the window's title and
 * on the navigation, and a short chime when the agent turned the sound on.
 */
import { api } from '../lib/api.js';
import { h, render, when } from '../lib/dom.js';
import { errorBox, showError } from '../lib/forms.js';
import { can } from '../lib/session.js';
import { listen } from '../lib/stream.js';
import { openConversation } from './inbox-conversation.js';

const TITLE = 'Parley admin';
const SOUND_KEY = 'parley.inbox.sound';
const STATES = [['', 'All'], ['waiting', 'Waiting'], ['human', 'With a person'], ['bot', 'With the bot'], ['closed', 'Closed']];
const WORDS = { waiting: 'Waiting', human: 'With ', bot: 'Bot', closed: 'Closed' };

let current = null;

function stopInbox() {
  if (current && !location.hash.startsWith('#/inbox')) { current.stop(); current = null; }
}
window.addEventListener('hashchange', stopInbox);

/** The inbox page; drawn once, then only its open conversation changes while the route stays in #/inbox. */
export function inboxPage(botId, conversationId) {
  if (current) { current.show(botId, conversationId); return; }
  current = inbox();
  current.show(botId, conversationId);
}

function idOf(c) { return c.conversation_id || c.id; }

function unreadOf(c) { return Number(c.unread != null ? c.unread : c.unread_count || 0); }

function inbox() {
  const err = errorBox();
  const list = h('ul', { id: 'inbox-list', class: 'inbox-list', 'aria-label': 'Conversations' });
  const filter = h('select', { id: 'inbox-state', 'aria-label': 'Show' }, STATES.map((s) => h('option', { value: s[0] }, s[1])));
  const sound = h('input', { type: 'checkbox', id: 'inbox-sound', checked: localStorage.getItem(SOUND_KEY) === 'on' });
  const live = h('span', { id: 'inbox-live', class: 'muted', role: 'status' }, 'Connecting…');
  const pane = h('section', { id: 'inbox-conversation', class: 'inbox-pane', 'aria-live': 'polite' });
  render(h('section', { class: 'card inbox' },
    h('div', { class: 'inbox-head' }, h('h1', null, 'Inbox'), filter,
      h('label', { class: 'check' }, sound, 'Sound for a new waiting conversation'), live),
    err, h('div', { class: 'inbox-grid' }, list, pane)));
  let waitingSeen = null;
  let open = null;
  let reloadTimer = 0;
  let items = [];
  // bot names for those who may read bots; an agent sees the ids of the bots in their scope
  const names = {};
  if (can('bots.read')) {
    api('GET', '/api/bots').then((r) => { ((r && r.bots) || []).forEach((b) => { names[b.id] = b.name; }); draw(); }, () => null);
  }

  function draw() {
    list.replaceChildren();
    if (!items.length) { list.appendChild(h('li', { class: 'muted empty' }, 'No conversations here.')); }
    items.forEach((c) => list.appendChild(item(c, open, names[c.bot_id])));
    const waiting = items.filter((c) => c.state === 'waiting').length;
    document.title = (waiting ? '(' + waiting + ') ' : '') + TITLE;
    const badge = document.getElementById('nav-inbox-count');
    if (badge) { badge.textContent = waiting ? String(waiting) : ''; badge.hidden = !waiting; }
  }

  function announce() {
    const waiting = items.filter((c) => c.state === 'waiting').map(idOf);
    const fresh = waitingSeen ? waiting.filter((id) => !waitingSeen.has(id)) : [];
    waitingSeen = new Set(waiting);
    if (fresh.length && sound.checked) { chime(); }
  }

  function reload() {
    reloadTimer = 0;
    const q = filter.value ? '?state=' + encodeURIComponent(filter.value) : '';
    api('GET', '/api/inbox' + q).then((page) => {
      items = (page && page.conversations) || [];
      if (open) { items.forEach((c) => { if (idOf(c) === open.id) { c.unread = 0; c.unread_count = 0; } }); }
      announce();
      draw();
    }, (e) => showError(err, e));
  }

  function soon() { if (!reloadTimer) { reloadTimer = setTimeout(reload, 150); } }

  const stream = listen('/api/inbox/events', (type, data) => {
    soon();
    if (open && (data.conversation_id === open.id || data.session_id === open.sessionId())) { open.refresh(); }
  }, (connected) => {
    live.textContent = connected ? 'Live' : 'Reconnecting…';
    if (connected) { soon(); }
  });
  filter.addEventListener('change', reload);
  sound.addEventListener('change', () => {
    if (sound.checked) { localStorage.setItem(SOUND_KEY, 'on'); chime(); } else { localStorage.removeItem(SOUND_KEY); }
  });
  reload();

  return {
    show(botId, conversationId) {
      if (open && (open.id !== conversationId || open.botId !== botId)) { open = null; }
      if (!conversationId) {
        pane.replaceChildren(h('p', { class: 'muted' }, 'Choose a conversation.'));
      } else if (!open) {
        open = openConversation(botId, conversationId, pane, soon);
      }
      draw();
    },
    stop() {
      stream.stop();
      clearTimeout(reloadTimer);
      document.title = TITLE;
    }
  };
}

function item(c, open, botName) {
  const id = idOf(c);
  const unread = open && open.id === id ? 0 : unreadOf(c);
  const state = c.state === 'human' ? WORDS.human + (c.assignee_name || 'a person')
    : (WORDS[c.state] || c.state) + (c.state_reason === 'follow_up' ? ' · follow-up' : '');
  const preview = String(c.last_message || c.first_message || '');
  return h('li', { class: 'inbox-item', 'data-conversation-id': id, 'data-state': c.state, 'data-bot-id': c.bot_id },
    h('a', { href: '#/inbox/' + encodeURIComponent(c.bot_id) + '/' + encodeURIComponent(id),
      'aria-current': open && open.id === id ? 'true' : null },
    h('span', { class: 'badge state-' + c.state }, state),
    unread ? h('span', { class: 'unread', 'aria-label': unread + ' unread' }, unread > 99 ? '99+' : String(unread)) : null,
    h('span', { class: 'inbox-bot' }, botName || c.bot_name || 'Bot ' + c.bot_id),
    h('span', { class: 'inbox-preview' }, preview.length > 90 ? preview.slice(0, 90) + '…' : preview),
    h('span', { class: 'meta' }, when(c.updated_at || c.last_activity_at || c.state_at))));
}

/** Two short notes made in the page (Web Audio): nothing to download, so the admin's policy allows it. */
function chime() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) { return; }
  try {
    const ctx = new Ctx();
    [[880, 0], [1320, 0.16]].forEach((n) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = n[0];
      gain.gain.setValueAtTime(0.12, ctx.currentTime + n[1]);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + n[1] + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + n[1]);
      osc.stop(ctx.currentTime + n[1] + 0.32);
    });
    setTimeout(() => ctx.close(), 800);
  } catch (e) { /* no sound is no harm */ }
}
