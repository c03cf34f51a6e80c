/*
 * The bot form's "People (handoff)" section (issue 14): whether conversations may go to a person, the triggers
 * (keywords, turns in a row with nothing found, a "not helpful" rating), the messages while waiting and when nobody
 * is there, and the hours people are there (a time zone and ranges per weekday; unticked: always). Its controls follow
 * bot-fields.js (data-field is the API path, so a server error lands on its field); it is read into body.handoff,
 * sent whole.
 */
import { h } from '../lib/dom.js';
import { collect, control } from './bot-fields.js';

export const HANDOFF_FIELDS = [
  ['handoff.enabled', 'Hand conversations to people (the inbox and a "Talk to a person" button)', 'bool', {}],
  ['handoff.triggers.keywords', 'Words that ask for a person (one per line, up to 50)', 'lines', { maxItems: 50, max: 100 }],
  ['handoff.triggers.no_answer_turns', 'Ask for a person after this many turns in a row with nothing found (0: never)', 'int',
    { min: 0, max: 20 }],
  ['handoff.triggers.negative_feedback', 'Ask for a person when an answer is rated not helpful', 'bool', {}],
  ['handoff.message_waiting', 'Message while the visitor waits for a person (empty: the default)', 'textarea', { max: 1000 }],
  ['handoff.message_offline', 'Message when nobody is there, above the follow-up form (empty: the default)', 'textarea',
    { max: 1000 }]
];

const DAYS = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'],
  ['sat', 'Saturday'], ['sun', 'Sunday']];
const RANGE = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** The section's heading and grid, filled from bot (a new bot: the server's defaults). */
export function handoffSection(bot) {
  const stored = (bot && bot.handoff) || {};
  const view = { handoff: Object.assign({ enabled: false }, stored,
    { triggers: Object.assign({ keywords: [], no_answer_turns: 0, negative_feedback: false }, stored.triggers || {}) }) };
  const grid = h('div', { class: 'grid', id: 'handoff-settings' });
  HANDOFF_FIELDS.forEach((f) => grid.appendChild(control(f, view)));
  hoursControls(stored.hours || null).forEach((el) => grid.appendChild(el));
  return [h('h3', null, 'People (handoff)'), grid];
}

function errorSpan(id) {
  return h('span', { class: 'field-error', id: id + '-error', 'aria-live': 'polite' });
}

function hoursControls(hours) {
  const limited = h('input', { id: 'f-handoff-hours', type: 'checkbox', 'aria-describedby': 'f-handoff-hours-error' });
  limited.dataset.field = 'handoff.hours';
  limited.checked = !!hours;
  const zone = h('input', { id: 'f-handoff-hours-timezone', type: 'text', placeholder: 'Europe/Paris',
    'aria-describedby': 'f-handoff-hours-timezone-error' });
  zone.dataset.field = 'handoff.hours.timezone';
  zone.value = hours ? hours.timezone || '' : '';
  const out = [h('label', { class: 'check wide', for: 'f-handoff-hours' }, limited,
      'People are there only at these hours (unticked: always)', errorSpan('f-handoff-hours')),
    h('label', { for: 'f-handoff-hours-timezone' }, 'Time zone', zone, errorSpan('f-handoff-hours-timezone'))];
  DAYS.forEach(([day, name]) => {
    const id = 'f-handoff-hours-weekly-' + day;
    const el = h('input', { id: id, type: 'text', placeholder: 'none, e.g. 09:00-12:00, 13:00-17:30',
      'aria-describedby': id + '-error' });
    el.dataset.field = 'handoff.hours.weekly.' + day;
    el.value = hours && hours.weekly && hours.weekly[day] ? hours.weekly[day].join(', ') : '';
    out.push(h('label', { for: id }, name, el, errorSpan(id)));
  });
  return out;
}

/** Reads the section into result.body.handoff, its errors added to result.errors ([[path, message], …]). */
export function addHandoff(form, result) {
  const read = collect(form, HANDOFF_FIELDS);
  read.errors.forEach((e) => result.errors.push(e));
  const handoff = read.body.handoff || {};
  handoff.hours = readHours(form, (path, message) => result.errors.push([path, message]));
  result.body.handoff = handoff;
}

function readHours(form, bad) {
  if (!form.querySelector('#f-handoff-hours').checked) { return null; }
  const timezone = form.querySelector('#f-handoff-hours-timezone').value.trim();
  if (!timezone) { bad('handoff.hours.timezone', 'A time zone such as Europe/Paris or UTC'); }
  const weekly = {};
  DAYS.forEach(([day]) => {
    const ranges = form.querySelector('#f-handoff-hours-weekly-' + day).value.split(',').map((s) => s.trim()).filter(Boolean);
    if (!ranges.length) { return; }
    if (ranges.length > 10) { bad('handoff.hours.weekly.' + day, 'At most 10 ranges'); }
    ranges.forEach((r) => { if (!RANGE.test(r)) { bad('handoff.hours.weekly.' + day, '"' + r + '" is not a range like 09:00-17:30'); } });
    weekly[day] = ranges;
  });
  return { timezone: timezone, weekly: weekly };
}
