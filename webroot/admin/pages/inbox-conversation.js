/*
 * One conversation in the Inbox: its state and assignee, the whole transcript (visitor, bot with its
 * sources, agents, internal notes), take over / release / close, and the composer (a reply reaches the
 * visitor; a note stays with the agents). Every action is a POST on
 * /api/bots/{bot_id}/conversations/{conversation_id}/…; the page draws what the server then says.
 */
import { api, botPath } from '../lib/api.js';
import { h, toast, when } from '../lib/dom.js';
import { errorBox, showError } from '../lib/forms.js';
import { me } from '../lib/session.js';
import { message } from './conversations.js';

/** Draws the conversation into pane; {id, botId, sessionId(), refresh()}. changed() is called after each action. */
export function openConversation(botId, cid, pane, changed) {
  const path = botPath(botId) + '/conversations/' + encodeURIComponent(cid);
  const err = errorBox();
  const head = h('div', { class: 'conv-head' });
  const actions = h('div', { class: 'actions conv-actions' });
  const transcript = h('div', { class: 'transcript', id: 'inbox-transcript' });
  const text = h('textarea', { id: 'agent-text', rows: 3, maxlength: 4000, 'aria-label': 'Your reply or note' });
  const send = h('button', { type: 'submit', class: 'primary', id: 'agent-send' }, 'Send to visitor');
  const note = h('button', { type: 'button', class: 'secondary', id: 'agent-note' }, 'Add note');
  const hint = h('p', { class: 'hint', id: 'agent-hint' });
  const composer = h('form', { id: 'agent-composer', class: 'agent-composer' }, text, h('div', { class: 'actions' }, send, note, hint));
  pane.replaceChildren(head, err, actions, transcript, composer);
  let conv = null;
  let loading = null;

  function act(what, body, done) {
    err.hidden = true;
    return api('POST', path + '/' + what, body).then((r) => {
      if (done) { done(r); }
      refresh();
      changed();
    }, (e) => showError(err, e));
  }

  function drawActions(c) {
    const mine = c.assignee_id && me() && c.assignee_id === me().user_id;
    actions.replaceChildren(
      c.state !== 'human' || !mine ? h('button', { type: 'button', class: 'primary', id: 'take-over',
        on: { click: () => act('assign', {}, () => toast('You have taken over this conversation')) } },
      c.state === 'human' ? 'Take over from ' + (c.assignee_name || 'the agent') : 'Take over') : null,
      c.state === 'human' || c.state === 'waiting' ? h('button', { type: 'button', class: 'secondary', id: 'release',
        on: { click: () => act('release', {}, () => toast('The bot answers again')) } }, 'Hand back to the bot') : null,
      c.state !== 'closed' ? h('button', { type: 'button', class: 'danger', id: 'close-conversation',
        on: { click: () => act('close', {}, () => toast('Conversation closed')) } }, 'Close') : null);
    send.disabled = !(c.state === 'human' && mine);
    hint.textContent = send.disabled ? 'Take over to reply to the visitor; notes can be added at any time.' : '';
  }

  function draw(c) {
    conv = c;
    const state = c.state || 'bot';
    head.replaceChildren(h('h2', { id: 'conv-title' }, 'Session ' + c.session_id),
      h('p', { id: 'conv-state', class: 'meta', 'data-state': state }, stateWords(c)), followUp(c.follow_up));
    drawActions(c);
    const messages = (c.messages || []).concat((c.notes || []).map((n) => Object.assign({ role: 'note' }, n)));
    messages.sort((a, b) => (a.created_at || a.at || 0) - (b.created_at || b.at || 0));
    const atEnd = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
    transcript.replaceChildren(...messages.map(message));
    if (atEnd) { transcript.scrollTop = transcript.scrollHeight; }
  }

  function refresh() {
    if (loading) { loading.again = true; return; }
    loading = { again: false };
    api('GET', path).then(draw, (e) => showError(err, e)).then(() => {
      const again = loading.again;
      loading = null;
      if (again) { refresh(); }
    });
  }

  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!text.value.trim() || send.disabled) { return; }
    act('messages', { text: text.value.trim() }, () => { text.value = ''; text.focus(); });
  });
  note.addEventListener('click', () => {
    if (!text.value.trim()) { text.focus(); return; }
    act('notes', { text: text.value.trim() }, () => { text.value = ''; toast('Note added'); });
  });
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); composer.requestSubmit(); }
  });
  refresh();
  return { id: cid, botId: botId, sessionId: () => (conv ? conv.session_id : null), refresh: refresh };
}

/** The visitor's address when they left one (no agent was online): a follow-up is answered by e-mail. */
function followUp(f) {
  if (!f || typeof f !== 'object') { return null; }
  return h('p', { id: 'conv-follow-up', class: 'notice' }, 'Answer by e-mail: ' + (f.name || '') + ' <' + (f.email || '') + '>');
}

function stateWords(c) {
  const since = c.state_at ? ' since ' + when(c.state_at) : '';
  if (c.state === 'waiting') { return 'Waiting for a person' + since + (c.state_reason ? ' (' + reason(c.state_reason) + ')' : ''); }
  if (c.state === 'human') { return 'With ' + (c.assignee_name || 'an agent') + since; }
  if (c.state === 'closed') { return 'Closed' + since; }
  return 'The bot answers';
}

function reason(r) {
  return { visitor: 'the visitor asked', follow_up: 'a follow-up by e-mail', keywords: 'keywords',
    no_answer_turns: 'the bot found no answer', negative_feedback: 'negative feedback', tool: 'the bot handed over' }[r] || r;
}
