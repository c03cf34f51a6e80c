/* A bot's Conversations tab: the list, and one conversation's transcript with usage and feedback (also the inbox's). */
import { api, botPath } from '../lib/api.js';
import { append, h, when } from '../lib/dom.js';
import { showError } from '../lib/forms.js';
import { correctable } from './answers.js';

export function conversations(bot, box, err) {
  const body = h('tbody');
  const more = h('p', { class: 'muted' });
  append(box, [h('h2', null, 'Conversations'), h('table', { id: 'conversations' },
    h('thead', null, h('tr', null, h('th', null, 'First message'), h('th', null, 'Messages'), h('th', null, 'Started'), h('th', null, 'Last activity'))), body), more]);
  api('GET', botPath(bot.id) + '/conversations?limit=100').then((page) => {
    const list = page.conversations || [];
    if (!list.length) { body.appendChild(h('tr', null, h('td', { colspan: 4, class: 'muted' }, 'No conversations yet.'))); }
    list.forEach((c) => {
      const first = c.first_message || '(no message)';
      body.appendChild(h('tr', null,
        h('td', null, h('a', { href: '#/bots/' + encodeURIComponent(bot.id) + '/conversations/' + encodeURIComponent(c.id) },
          first.length > 80 ? first.slice(0, 80) + '…' : first)),
        h('td', null, String(c.message_count)), h('td', null, when(c.created_at)), h('td', null, when(c.updated_at))));
    });
    if (page.total > list.length) { more.textContent = 'Showing the newest ' + list.length + ' of ' + page.total + '.'; }
  }, (e) => showError(err, e));
}

export function conversation(bot, cid, box, err) {
  const list = h('div', { class: 'transcript', id: 'transcript' });
  append(box, [h('p', null, h('a', { href: '#/bots/' + encodeURIComponent(bot.id) + '/conversations' }, '← All conversations')), list]);
  api('GET', botPath(bot.id) + '/conversations/' + encodeURIComponent(cid)).then((c) => {
    box.insertBefore(h('h2', null, 'Session ' + c.session_id), list);
    if (c.cleared_at) {
      box.insertBefore(h('p', { class: 'meta' }, 'The visitor cleared this session on ' + when(c.cleared_at) +
        ': the messages before that are kept here, hidden from the visitor and left out of the bot\'s memory.'), list);
    }
    let asked = null;
    (c.messages || []).forEach((m) => {
      const el = list.appendChild(message(m));
      if (m.role === 'user') { asked = m.content; }
      else if (m.role === 'assistant') { correctable(bot, el, asked, m.content); }
    });
  }, (e) => showError(err, e));
}

/** One message of a transcript: the visitor's, the bot's (with its sources and feedback), an agent's, or an internal note. */
export function message(m) {
  const sources = Array.isArray(m.sources) && m.sources.length ? h('div', { class: 'meta sources' }, 'Sources: ',
    m.sources.map((s) => s.title || s.name || s.document_name || s.url || 'source').join('; ')) : null;
  const feedback = m.feedback ? h('div', { class: 'meta feedback' }, 'Feedback: ' + (m.feedback === 'up' ? '👍 helpful' : '👎 not helpful') +
    (m.feedback_comment ? ' — ' + m.feedback_comment : '')) : null;
  const role = ['user', 'agent', 'note'].indexOf(m.role) >= 0 ? m.role : 'assistant';
  return h('div', { class: 'msg ' + role, 'data-message-id': m.id || null },
    h('strong', null, speaker(m, role)), m.content || m.text || '',
    h('div', { class: 'meta' }, meta(m).join(' · ')), sources, feedback, toolCalls(m.tool_calls));
}

/**
 * The tool calls a turn made (docs/tools.md), stored on its answer (or on the visitor's message when the turn failed):
 * per call its step, tool, status and error, latency, and the arguments and result as stored (cut to 2,000 characters).
 */
function toolCalls(calls) {
  if (!Array.isArray(calls) || !calls.length) { return null; }
  return h('details', { class: 'tool-calls' }, h('summary', null, 'Tool calls (' + calls.length + ')'), calls.map((c) =>
    h('div', { class: 'tool-call ' + (c.status === 'done' ? 'done' : 'failed') },
      h('div', { class: 'tool-call-head' }, ['step ' + c.step, c.tool + (c.type ? ' (' + c.type + ')' : ''),
        c.status + (c.error ? ': ' + c.error : ''), (c.latency_ms == null ? '?' : c.latency_ms) + ' ms'].join(' · ')),
      h('div', null, 'Arguments:'), h('pre', { class: 'tool-arguments' }, c.arguments == null ? '' : String(c.arguments)),
      h('div', null, 'Result:'), h('pre', { class: 'tool-result-text' }, c.result == null ? '' : String(c.result)))));
}

function speaker(m, role) {
  const name = m.agent_name || m.user_name || m.author_name || 'An agent';
  if (role === 'user') { return 'Visitor: '; }
  if (role === 'agent') { return name + ': '; }
  if (role === 'note') { return 'Note by ' + name + ' (not shown to the visitor): '; }
  return 'Bot: ';
}

/** When, and for an answer its model, tokens, cost and latency; then its status and error if any. */
function meta(m) {
  const out = [when(m.created_at || m.at)];
  if (m.role === 'assistant') {
    if (m.provider === 'answer') { out.push('stored answer'); }
    else if (m.model) { out.push(m.provider + ' / ' + m.model); }
    if (m.input_tokens != null) { out.push(m.input_tokens + ' in / ' + m.output_tokens + ' out tokens'); }
    if (m.cost) { out.push('$' + Number(m.cost).toFixed(5)); }
    if (m.latency_ms != null) { out.push(m.latency_ms + ' ms'); }
  }
  if (m.status && m.status !== 'complete') { out.push('status: ' + m.status); }
  if (m.error) { out.push('error: ' + m.error); }
  if (m.retrieval_error) { out.push('knowledge base not searched: ' + m.retrieval_error); }
  return out;
}
