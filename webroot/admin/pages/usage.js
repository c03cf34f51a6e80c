/*
 * A bot's Usage tab: today's budget, its conversations per state now, and eight daily charts (SVG bars, no chart
 * library): turns, tokens, cost, latency, errors, feedback, requests for a person per trigger, time to first human reply.
 */
import { api, botPath } from '../lib/api.js';
import { append, h, svg } from '../lib/dom.js';
import { showError } from '../lib/forms.js';

const W = 320, H = 150, P = 22, B = 18;

export function usage(bot, box, err) {
  const select = h('select', { id: 'days', 'aria-label': 'Period' },
    [7, 30, 90].map((n) => h('option', { value: String(n) }, 'Last ' + n + ' days')));
  select.value = '30';
  const charts = h('div', { class: 'charts', id: 'charts' });
  const budget = h('p', { id: 'budget-status', class: 'muted' });
  const states = h('p', { id: 'conversation-states', class: 'muted' });
  append(box, [h('div', { class: 'actions' }, h('h2', null, 'Usage'), select), budget, states, charts]);
  const load = () => {
    api('GET', botPath(bot.id) + '/stats?days=' + select.value).then((stats) => {
      showBudget(budget, stats.budget);
      showStates(states, stats.conversations);
      charts.replaceChildren(...allCharts(stats.days || []));
    }, (e) => showError(err, e));
  };
  select.addEventListener('change', load);
  load();
}

function allCharts(days) {
  const n = (v) => Math.round(v).toLocaleString();
  const avgLatency = days.map((d) => ({ date: d.date, v: d.avg_latency_ms || 0 }));
  return [
    chart('chart-turns', 'Turns', days, [{ key: 'turns', label: 'turns', color: '#4f46e5' }], n),
    chart('chart-tokens', 'Tokens', days, [{ key: 'input_tokens', label: 'input', color: '#0ea5e9' },
      { key: 'output_tokens', label: 'output', color: '#6366f1' }], n),
    chart('chart-cost', 'Cost (USD)', days, [{ key: 'cost', label: 'cost', color: '#059669' }], (v) => '$' + v.toFixed(4)),
    chart('chart-latency', 'Average latency (ms)', avgLatency, [{ key: 'v', label: 'avg latency', color: '#d97706' }], n),
    chart('chart-errors', 'Errors', days, [{ key: 'errors', label: 'errors', color: '#dc2626' }], n),
    chart('chart-feedback', 'Feedback', days, [{ key: 'feedback_up', label: 'helpful', color: '#16a34a' },
      { key: 'feedback_down', label: 'not helpful', color: '#f97316' }], n),
    chart('chart-handoffs', 'Requests for a person', days.map(perTrigger), TRIGGERS, n),
    chart('chart-first-reply', 'Time to first human reply (average)',
      days.map((d) => ({ date: d.date, v: d.avg_first_reply_ms || 0 })),
      [{ key: 'v', label: 'average wait', color: '#7c3aed' }], wait, true)];
}

const TRIGGERS = [{ key: 'visitor', label: 'visitor asked', color: '#4f46e5' }, { key: 'keywords', label: 'keywords', color: '#0ea5e9' },
  { key: 'no_answer_turns', label: 'no answer found', color: '#d97706' },
  { key: 'negative_feedback', label: 'negative feedback', color: '#dc2626' }, { key: 'tool', label: 'bot handed over', color: '#059669' }];

function perTrigger(d) {
  return Object.assign({ date: d.date }, d.handoff_triggers || {});
}

/** A wait in ms as words: 800 ms, 45 s, 3.5 min, 2.0 h. */
function wait(ms) {
  if (ms < 1000) { return Math.round(ms) + ' ms'; }
  if (ms < 60000) { return Math.round(ms / 1000) + ' s'; }
  if (ms < 3600000) { return (ms / 60000).toFixed(1) + ' min'; }
  return (ms / 3600000).toFixed(1) + ' h';
}

/** The bot's conversations per state now. */
function showStates(el, c) {
  if (!c) { el.textContent = ''; return; }
  el.textContent = 'Conversations now: ' + (c.waiting || 0) + ' waiting for a person, ' + (c.human || 0) + ' with a person, '
    + (c.bot || 0) + ' with the bot, ' + (c.closed || 0) + ' closed.';
}

/** Today's spend against the daily budget, and whether the bot now answers with its budget message. */
function showBudget(el, b) {
  if (!b || (b.daily_tokens == null && b.daily_cost == null)) { el.textContent = 'No daily budget.'; el.className = 'muted'; return; }
  const parts = [];
  if (b.daily_tokens != null) { parts.push(Math.round(b.tokens_today).toLocaleString() + ' of ' + b.daily_tokens.toLocaleString() + ' tokens'); }
  if (b.daily_cost != null) { parts.push('$' + b.cost_today.toFixed(4) + ' of $' + b.daily_cost.toFixed(2)); }
  el.textContent = 'Today (UTC): ' + parts.join(', ') + (b.exhausted ? ' — budget spent: the bot answers with its budget message.' : '.');
  el.className = b.exhausted ? 'error' : 'muted';
}

/**
 * One chart: a stacked bar per day of series [{key, label, color}], its maximum, first and last date, total or
 * (latency, or summarize === true) the average of the days that have one, or what summarize(totals) says (the
 * Evaluations tab charts its runs with it).
 */
export function chart(id, title, days, series, format, summarize) {
  const totals = days.map((d) => series.reduce((s, x) => s + (Number(d[x.key]) || 0), 0));
  const max = Math.max.apply(null, totals.concat([0]));
  const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title });
  s.appendChild(svg('line', { x1: 4, x2: W - 4, y1: H - B, y2: H - B, stroke: '#9ca3af' }));
  bars(s, days, series, format, max > 0 ? (H - P - B) / max : 0);
  axisLabels(s, days, format(max));
  const sum = totals.reduce((a, b) => a + b, 0);
  const active = totals.filter((t) => t > 0).length;
  const summary = typeof summarize === 'function' ? summarize(totals)
    : id === 'chart-latency' || summarize ? 'average ' + format(active ? sum / active : 0) : 'total ' + format(sum);
  return h('figure', { class: 'chart', id: id },
    h('figcaption', null, title + ' ', h('span', { class: 'total' }, '(' + summary + ')')), s, legend(series));
}

function bars(s, days, series, format, scale) {
  const bw = (W - 8) / Math.max(days.length, 1);
  days.forEach((d, i) => {
    let y = H - B;
    series.forEach((x) => {
      const v = Number(d[x.key]) || 0;
      if (v <= 0) { return; }
      const hgt = Math.max(1, v * scale);
      y -= hgt;
      const r = svg('rect', { x: (4 + i * bw + bw * 0.12).toFixed(1), y: y.toFixed(1), width: (bw * 0.76).toFixed(1), height: hgt.toFixed(1), fill: x.color });
      const t = svg('title');
      t.textContent = d.date + ': ' + x.label + ' ' + format(v);
      r.appendChild(t);
      s.appendChild(r);
    });
  });
}

function axisLabels(s, days, max) {
  const label = (attrs, text) => {
    const t = svg('text', Object.assign({ 'font-size': 10, fill: '#6b7280' }, attrs));
    t.textContent = text;
    s.appendChild(t);
  };
  label({ x: 4, y: 12 }, 'max ' + max);
  label({ x: 4, y: H - 4 }, days.length ? days[0].date : '');
  label({ x: W - 4, y: H - 4, 'text-anchor': 'end' }, days.length ? days[days.length - 1].date : '');
}

function legend(series) {
  if (series.length <= 1) { return null; }
  return h('div', { class: 'muted' }, series.map((x) => {
    const sw = h('span', { 'aria-hidden': 'true' }, '■ ');
    sw.style.color = x.color;
    return h('span', null, sw, x.label + '  ');
  }));
}
