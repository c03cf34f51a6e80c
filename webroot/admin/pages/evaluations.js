/*
 * A bot's Evaluations tab: start a run (questions as CSV or JSON), the table of earlier runs with their settings and
 * measures, a chart over the finished runs (the Usage tab's bars), and one run's questions (#/bots/{id}/evaluations/{eval_id}).
 */
import { api, ApiError, authHeaders, botPath } from '../lib/api.js';
import { append, h, when } from '../lib/dom.js';
import { showError } from '../lib/forms.js';
import { can } from '../lib/session.js';
import { chart } from './usage.js';

const pct = (v) => v == null ? '—' : (v * 100).toFixed(1) + ' %';
const num = (v) => v == null ? '—' : String(v);

export function evaluations(bot, sub, box, err) {
  if (sub) { run(bot, sub, box, err); return; }
  const body = h('tbody');
  const charts = h('div', { class: 'charts', id: 'eval-charts' });
  append(box, [h('h2', null, 'Evaluations'), can('knowledge.edit') ? startForm(bot, err) : null, charts,
    h('table', { id: 'evaluations' }, h('thead', null, h('tr', null, ['Started', 'Status', 'Questions', 'Model',
      'Documents', 'Recall@1', 'Recall@5', 'MRR', 'Answer contains', 'Abstention', 'p50 / p95 ms'].map((t) => h('th', null, t)))), body)]);
  api('GET', botPath(bot.id) + '/evaluations').then((page) => {
    const runs = page.evaluations || [];
    if (!runs.length) { body.appendChild(h('tr', null, h('td', { colspan: 11, class: 'muted' }, 'No evaluation yet.'))); }
    runs.forEach((r) => body.appendChild(row(bot, r)));
    const done = runs.filter((r) => r.status === 'completed').reverse()
      .map((r) => Object.assign({ date: new Date(r.created_at).toISOString().slice(0, 16).replace('T', ' ') }, r.summary));
    const rate = (v) => (v * 100).toFixed(0) + ' %';
    const last = () => (values) => 'last ' + rate(values.length ? values[values.length - 1] : 0);
    charts.replaceChildren(
      chart('chart-recall', 'Recall@5', done, [{ key: 'recall_at_5', label: 'recall@5', color: '#4f46e5' }], rate, last()),
      chart('chart-mrr', 'MRR', done, [{ key: 'mrr', label: 'MRR', color: '#0ea5e9' }], (v) => v.toFixed(2), last()),
      chart('chart-abstention', 'Abstention on unanswerable', done, [{ key: 'abstention_rate', label: 'abstained', color: '#059669' }], rate, last()));
  }, (e) => showError(err, e));
}

function row(bot, r) {
  const s = r.summary || {};
  const settings = r.settings || {};
  const status = r.status === 'running' ? 'running (' + r.done_count + '/' + r.question_count + ')' : r.status;
  return h('tr', { class: 'eval-run' },
    h('td', null, h('a', { href: '#/bots/' + encodeURIComponent(bot.id) + '/evaluations/' + encodeURIComponent(r.eval_id) }, when(r.created_at))),
    h('td', { class: 'status' }, status), h('td', null, String(r.question_count)),
    h('td', null, (settings.provider || '') + (settings.model ? ' · ' + settings.model : '')),
    h('td', null, num(settings.documents)),
    h('td', { class: 'recall-1' }, pct(s.recall_at_1)), h('td', { class: 'recall-5' }, pct(s.recall_at_5)),
    h('td', { class: 'mrr' }, s.mrr == null ? '—' : s.mrr.toFixed(3)), h('td', null, pct(s.answer_contains_rate)),
    h('td', null, pct(s.abstention_rate)), h('td', null, num(s.latency_p50_ms) + ' / ' + num(s.latency_p95_ms)));
}

function startForm(bot, err) {
  const text = h('textarea', { id: 'eval-questions', rows: 6, 'aria-label': 'Questions (CSV)',
    placeholder: 'question,expected_document,expected_answer_contains,answerable\nHow long do I have to return a tent?,returns.md,60 days,true' });
  const button = h('button', { type: 'submit' }, 'Run evaluation');
  const form = h('form', { id: 'eval-start' }, h('p', { class: 'muted' }, 'Questions as CSV with a header row (question, expected_document, ' +
    'expected_answer_contains, answerable) or as a JSON list. Each runs through the bot\'s retrieval and provider; nothing is stored as a conversation.'),
  text, h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const raw = text.value.trim();
    const json = raw.startsWith('[') || raw.startsWith('{');
    button.disabled = true;
    fetchStart(bot, raw, json).then((started) => {
      location.hash = '#/bots/' + encodeURIComponent(bot.id) + '/evaluations/' + encodeURIComponent(started.eval_id);
    }, (e) => { button.disabled = false; showError(err, e); });
  });
  return form;
}

function fetchStart(bot, raw, json) {
  if (json) {
    let parsed;
    try { parsed = JSON.parse(raw); } catch (e) { return Promise.reject(new ApiError(422, { error: { message: 'The JSON cannot be read: ' + e.message } })); }
    return api('POST', botPath(bot.id) + '/evaluations', parsed);
  }
  const headers = Object.assign(authHeaders('POST'), { 'Content-Type': 'text/csv' });
  return fetch(botPath(bot.id) + '/evaluations', { method: 'POST', headers: headers, body: raw, credentials: 'same-origin' })
    .catch(() => { throw new ApiError(0, null); })
    .then((r) => r.json().catch(() => null).then((json) => { if (!r.ok) { throw new ApiError(r.status, json); } return json; }));
}

function run(bot, id, box, err) {
  const head = h('div', { id: 'eval-run' });
  const body = h('tbody');
  append(box, [h('p', null, h('a', { href: '#/bots/' + encodeURIComponent(bot.id) + '/evaluations' }, '← All evaluations')), head,
    h('table', { id: 'eval-results' }, h('thead', null, h('tr', null, ['#', 'Question', 'Expected document', 'Rank', 'Passages',
      'Answer', 'Contains', 'Abstained', 'ms'].map((t) => h('th', null, t)))), body)]);
  const load = () => api('GET', botPath(bot.id) + '/evaluations/' + encodeURIComponent(id)).then((r) => {
    const s = r.summary || {};
    head.replaceChildren(h('h2', null, 'Evaluation of ' + when(r.created_at)),
      h('p', { class: 'meta', id: 'eval-status' }, r.status + ' · ' + r.done_count + ' of ' + r.question_count + ' questions' + (r.error ? ' · ' + r.error : '')),
      h('p', { class: 'meta' }, 'Recall@1 ' + pct(s.recall_at_1) + ' · recall@5 ' + pct(s.recall_at_5) + ' · MRR ' + (s.mrr == null ? '—' : s.mrr.toFixed(3)) +
        ' · answer contains ' + pct(s.answer_contains_rate) + ' · abstention ' + pct(s.abstention_rate) + ' · p50 ' + num(s.latency_p50_ms) + ' ms, p95 ' + num(s.latency_p95_ms) + ' ms'));
    body.replaceChildren(...(r.results || []).map((q) => h('tr', { class: 'eval-question' },
      h('td', null, String(q.index + 1)), h('td', null, q.question), h('td', null, q.expected_document || (q.answerable ? '—' : 'unanswerable')),
      h('td', { class: 'rank' }, num(q.rank)), h('td', null, (q.documents || []).join(', ')),
      h('td', null, q.error ? h('span', { class: 'error' }, q.error) : (q.answer || '').slice(0, 200)),
      h('td', null, q.contains == null ? '—' : q.contains ? 'yes' : 'no'), h('td', null, q.abstained ? 'yes' : 'no'), h('td', null, num(q.latency_ms)))));
    if (r.status === 'running' && location.hash.indexOf(encodeURIComponent(id)) >= 0) { setTimeout(load, 1000); }
  }, (e) => showError(err, e));
  load();
}
